/**
 * Limits of docs/protocol.md, stated once: the text lengths every request schema uses, and the server's limits
 * as `hello` announces them (part 1's three, and the extension's more), with part 1's defaults for what an older
 * server does not announce.
 */
import { Type, type Static } from '@sinclair/typebox';

/** Code points of a text message or an edit. */
export const MAX_TEXT = 8000;
/** UTF-8 bytes of a `custom` entry's `data`, serialized. */
export const MAX_CUSTOM_DATA_BYTES = 8 * 1024;
/** Code points of a group's name (also a user's display name and a chatroom's name). */
export const MAX_NAME = 64;
/** Code points of a group's announcement. */
export const MAX_ANNOUNCEMENT = 2000;
/** Code points of the note of a join request. */
export const MAX_JOIN_NOTE = 200;
/** Code points of a file's name in an `image` or `file` entry. */
export const MAX_FILE_NAME = 255;
/** Code points of a location's label. */
export const MAX_LOCATION_LABEL = 500;
/** Code points of a user's status line (extension, docs/protocol.md part 2, "Profiles"). */
export const MAX_STATUS = 140;
/** Code points of the message of a contact request (extension, part 2, "Contacts"). */
export const MAX_CONTACT_MESSAGE = 200;
/** Code points of a contact's remark (the name a user gives a contact), and tags a contact may carry and their length. */
export const MAX_REMARK = 64;
export const MAX_CONTACT_TAGS = 20;
export const MAX_TAG = 32;

/**
 * `hello`'s `limits`. Part 1 has the first three; the others are an extension (docs/protocol.md part 2), optional
 * here because an older server does not send them.
 */
export const LimitsSchema = Type.Object({
  maxFrameBytes: Type.Integer({ minimum: 0 }),
  /** Sends a second per connection; 0: no limit. */
  sendPerSecond: Type.Number({ minimum: 0 }),
  maxFileBytes: Type.Integer({ minimum: 0 }),
  /** How long after sending a member may recall their own entry (ms). */
  recallWindowMs: Type.Optional(Type.Integer({ minimum: 0 })),
  /** Code points of a text message or an edit. */
  maxTextChars: Type.Optional(Type.Integer({ minimum: 1 })),
  /** Members a group may hold, the owner included. */
  maxGroupMembers: Type.Optional(Type.Integer({ minimum: 1 })),
  /** Groups with more members carry no typing indicators. */
  typingMaxGroupMembers: Type.Optional(Type.Integer({ minimum: 0 })),
});
export type Limits = Static<typeof LimitsSchema>;

/** The limits with every field known. */
export type ServerLimits = Required<Limits>;

/** docs/protocol.md's defaults: what a server that does not announce a limit is taken to apply. */
export const DEFAULT_LIMITS: Readonly<ServerLimits> = Object.freeze({
  maxFrameBytes: 1024 * 1024,
  sendPerSecond: 5,
  maxFileBytes: 100 * 1024 * 1024,
  recallWindowMs: 2 * 60_000,
  maxTextChars: MAX_TEXT,
  maxGroupMembers: 3000,
  typingMaxGroupMembers: 100,
});

/** A hello answer's limits completed with the defaults for what the server did not announce. */
export function limitsOf(announced: Limits): ServerLimits {
  const limits: ServerLimits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as Array<keyof ServerLimits>) {
    const value = announced[key];
    if (typeof value === 'number') limits[key] = value;
  }
  return limits;
}
