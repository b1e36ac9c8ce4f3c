/**
 * Searching the server's directory as the user types: one request per pause in typing (debounced), answers to an
 * older query are dropped, and `more()` fetches the next page with the query's cursor.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { GroupListingView, UserView } from '../../../preload/api-types';
import { MAX_DIRECTORY_QUERY, codePointLength } from '../../../protocol/pure.js';
import { useModel } from '../app/model-context';

export const SEARCH_DEBOUNCE_MS = 250;

export interface DirectoryResults {
  /** The query these results answer (trimmed); '' before any search. */
  query: string;
  users: UserView[];
  groups: GroupListingView[];
  usersCursor?: string;
  groupsCursor?: string;
  searching: boolean;
  error: unknown;
}

const EMPTY: DirectoryResults = { query: '', users: [], groups: [], searching: false, error: null };

export function useDirectorySearch(text: string, options: { groups?: boolean } = {}): DirectoryResults & { more: () => void } {
  const model = useModel();
  const withGroups = options.groups ?? false;
  const [results, setResults] = useState<DirectoryResults>(EMPTY);
  // Bumped by every new query: an answer carrying an older number is stale.
  const generation = useRef(0);
  const query = text.trim();

  useEffect(() => {
    const mine = ++generation.current;
    if (!query || codePointLength(query) > MAX_DIRECTORY_QUERY) {
      setResults(EMPTY);
      return;
    }
    setResults((prev) => ({ ...prev, searching: true }));
    const timer = setTimeout(() => {
      void (async () => {
        try {
          const [people, groups] = await Promise.all([
            model.api.directory.searchUsers({ query }),
            withGroups ? model.api.directory.searchGroups({ query }) : Promise.resolve({ groups: [] as GroupListingView[], nextCursor: undefined }),
          ]);
          if (mine !== generation.current) return;
          setResults({ query, users: people.users, groups: groups.groups, usersCursor: people.nextCursor, groupsCursor: groups.nextCursor, searching: false, error: null });
        } catch (error) {
          if (mine === generation.current) setResults({ ...EMPTY, query, error });
        }
      })();
    }, SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [model, query, withGroups]);

  const more = useCallback(() => {
    const mine = generation.current;
    const { query: q, usersCursor, groupsCursor } = results;
    if (!q || (!usersCursor && !groupsCursor)) return;
    setResults((prev) => ({ ...prev, searching: true }));
    void (async () => {
      try {
        const [people, groups] = await Promise.all([
          usersCursor ? model.api.directory.searchUsers({ query: q, cursor: usersCursor }) : Promise.resolve(null),
          groupsCursor ? model.api.directory.searchGroups({ query: q, cursor: groupsCursor }) : Promise.resolve(null),
        ]);
        if (mine !== generation.current) return;
        setResults((prev) => ({
          ...prev,
          users: people ? [...prev.users, ...people.users] : prev.users,
          groups: groups ? [...prev.groups, ...groups.groups] : prev.groups,
          usersCursor: people ? people.nextCursor : undefined,
          groupsCursor: groups ? groups.nextCursor : undefined,
          searching: false,
        }));
      } catch (error) {
        if (mine === generation.current) setResults((prev) => ({ ...prev, searching: false, error }));
      }
    })();
  }, [model, results]);

  return { ...results, more };
}
