/**
 * The handlers of contacts and the directory (preload/contract.ts, "contacts and the directory"). Arguments
 * arrive validated against the contract's closed schemas; each handler is one call on the account.
 */
import type { Op, OpRequest, OpResult } from '../../../protocol/index.js';
import type { ApiHandlers } from '../../../preload/contract.js';
import { IpcError } from '../ipc/errors.js';
import type { Account } from './account.js';
import { NoAnswerError } from './server-connection.js';

export type PeopleMethod =
  | 'directory.searchUsers'
  | 'directory.searchGroups'
  | 'contacts.list'
  | 'contacts.request'
  | 'contacts.accept'
  | 'contacts.decline'
  | 'contacts.ignore'
  | 'contacts.cancel'
  | 'contacts.remove'
  | 'contacts.update';

/** `need` answers the signed-in account or throws UNAUTHENTICATED. */
export function peopleHandlers(need: () => Account): Pick<ApiHandlers, PeopleMethod> {
  async function ask<O extends Op>(op: O, body: OpRequest<O>): Promise<OpResult<O>> {
    try {
      return await need().conn.request(op, body);
    } catch (error) {
      if (error instanceof NoAnswerError) throw new IpcError('OFFLINE', 'the server cannot be reached right now');
      throw error;
    }
  }
  /** A change of the contact state: held locally (and announced) by the time it returns. */
  const change = <O extends Op>(op: O, body: OpRequest<O>): Promise<OpResult<O>> => need().contacts.change(() => ask(op, body));

  return {
    // Users the server described may show administrator-set avatar URLs, which main then agrees to fetch.
    'directory.searchUsers': async (arg) => {
      const account = need();
      const answer = await ask('users.search', arg);
      account.profile.noteUsers(answer.users);
      return answer;
    },
    'directory.searchGroups': async (arg) => ask('groups.search', arg),
    'contacts.list': async () => {
      const account = need();
      const view = account.contacts.view();
      account.profile.noteUsers(view.contacts);
      account.profile.noteUsers(view.requests);
      return view;
    },
    'contacts.request': async (arg) => change('contacts.request', arg),
    'contacts.accept': async (arg) => void (await change('contacts.accept', arg)),
    'contacts.decline': async (arg) => void (await change('contacts.decline', arg)),
    'contacts.ignore': async (arg) => void (await change('contacts.ignore', arg)),
    'contacts.cancel': async (arg) => void (await change('contacts.cancel', arg)),
    'contacts.remove': async (arg) => void (await change('contacts.remove', arg)),
    'contacts.update': async (arg) => void (await change('contacts.update', arg)),
  };
}
