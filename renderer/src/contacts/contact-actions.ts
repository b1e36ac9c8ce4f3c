/** What the contact buttons do: one call each, the outcome told in a toast (main announces the new list itself). */
import type { TFunction } from 'i18next';
import type { AppModel } from '../state/app-model';

export async function requestContact(model: AppModel, t: TFunction, userId: string, name: string, message: string): Promise<boolean> {
  try {
    const { status } = await model.api.contacts.request(message ? { userId, message } : { userId });
    model.pushInfo(status === 'contacts' ? t('contacts.nowContacts', { name }) : t('contacts.requestSent', { name }));
    return true;
  } catch (error) {
    model.pushError(error);
    return false;
  }
}

export type RequestAnswer = 'accept' | 'decline' | 'ignore' | 'cancel';

export async function answerRequest(model: AppModel, t: TFunction, answer: RequestAnswer, userId: string, name: string): Promise<boolean> {
  try {
    await model.api.contacts[answer]({ userId });
    if (answer === 'accept') model.pushInfo(t('contacts.nowContacts', { name }));
    return true;
  } catch (error) {
    model.pushError(error);
    return false;
  }
}

/** Opens (or starts) the private chat with a user. */
export async function messageUser(model: AppModel, userId: string): Promise<boolean> {
  try {
    const { convId } = await model.api.conversation.startPrivate({ userId });
    model.people.closeProfile();
    model.navigate(convId);
    return true;
  } catch (error) {
    model.pushError(error);
    return false;
  }
}
