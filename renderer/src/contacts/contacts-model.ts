/**
 * The renderer's view of the user's contacts: the list main keeps (`contacts.list`, then `contacts:changed`),
 * and which profile card is open. Lives beside AppModel; AppModel starts it and reloads it on a session change.
 */
import type { Api, ContactView, ContactsView } from '../../../preload/api-types';
import { createStore, type Store } from '../lib/store';

export const EMPTY_CONTACTS: ContactsView = { contacts: [], requests: [], supported: true, messaging: 'anyone' };

export class ContactsModel {
  readonly list: Store<ContactsView & { loaded: boolean }> = createStore<ContactsView & { loaded: boolean }>({ ...EMPTY_CONTACTS, loaded: false });
  /** The user whose profile card is open (null: none). */
  readonly profile: Store<string | null> = createStore<string | null>(null);
  /** Whether "Add contact" (the directory search) is open. */
  readonly adding: Store<boolean> = createStore(false);

  constructor(private readonly api: Api) {}

  start(): () => void {
    return this.api.on('contacts:changed', (view) => this.list.set({ ...view, loaded: true }));
  }

  reset(): void {
    this.list.set({ ...EMPTY_CONTACTS, loaded: false });
    this.profile.set(null);
    this.adding.set(false);
  }

  async load(): Promise<void> {
    try {
      this.list.set({ ...(await this.api.contacts.list()), loaded: true });
    } catch {
      // contacts:changed brings the list once main has it.
      this.list.set((prev) => ({ ...prev, loaded: true }));
    }
  }

  contactOf(userId: string): ContactView | undefined {
    return this.list.get().contacts.find((c) => c.userId === userId);
  }

  openProfile(userId: string): void {
    this.profile.set(userId);
  }

  closeProfile(): void {
    this.profile.set(null);
  }
}

/** How a contact is called: the user's remark first, then the contact's own name. */
export function contactLabel(c: Pick<ContactView, 'remark' | 'name' | 'userId'>): string {
  return c.remark || c.name || c.userId;
}

/** Online first, then by the label as the language sorts it. */
export function sortContacts(contacts: readonly ContactView[], locale: string): ContactView[] {
  const collator = new Intl.Collator(locale);
  return [...contacts].sort((a, b) => Number(b.online) - Number(a.online) || collator.compare(contactLabel(a), contactLabel(b)));
}

/** Incoming requests: the count the Contacts tab shows. */
export function incomingCount(view: ContactsView): number {
  return view.requests.filter((r) => r.direction === 'in').length;
}

/** Whether a contact matches what is typed in the list's filter: remark, name, id or a tag, case-insensitively. */
export function matchesContact(c: Pick<ContactView, 'remark' | 'name' | 'userId' | 'tags'>, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (!q) return true;
  return [c.remark, c.name, c.userId, ...c.tags].some((s) => s.toLowerCase().includes(q));
}
