/**
 * Log entries (messages) of docs/protocol.md: kinds, bodies and the entry itself.
 *
 * Each body is defined once, in two strengths: as a client may send it (every limit of the contract checked:
 * `ENTRY_BODIES`), and as a server delivers it (the shape only: `STORED_ENTRY_BODIES`), so a client checks
 * what it receives without enforcing limits the server owns (a server may announce a longer `maxTextChars`).
 * Both have the same TypeScript type.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { FILE_ID_PATTERN, ID_PATTERN } from './ids.js';
import { BoundedJson, CanonicalConvId, CodePointString } from './kinds.js';
import { MAX_CUSTOM_DATA_BYTES, MAX_FILE_NAME, MAX_LOCATION_LABEL, MAX_TEXT } from './limits.js';

export { MAX_CUSTOM_DATA_BYTES, MAX_TEXT } from './limits.js';

export const UserId = Type.String({ pattern: ID_PATTERN });
export const ConvId = CanonicalConvId();
export const FileId = Type.String({ pattern: FILE_ID_PATTERN });
export const ClientMsgId = Type.String({ pattern: '^[\\x21-\\x7e]{1,64}$' });
export const Seq = Type.Integer({ minimum: 1 });
export const Mentions = Type.Array(Type.String({ pattern: `(${ID_PATTERN})|(^@all$)` }), { maxItems: 100 });

/** The body schemas; `strict` adds the contract's limits (lengths, ranges, the file id alphabet). */
function entryBodies<Strict extends boolean>(strict: Strict) {
  // Each helper keeps its static type whichever strength it builds (string, number, unknown).
  const text = (max: number, min = 0) => (strict ? CodePointString(max, min) : Type.String());
  const int = (min: number, max?: number) => Type.Integer(strict ? { minimum: min, ...(max === undefined ? {} : { maximum: max }) } : {});
  const num = (min: number, max: number) => Type.Number(strict ? { minimum: min, maximum: max } : {});
  const fileId = strict ? FileId : Type.String();
  const mime = Type.String(strict ? { minLength: 1, maxLength: 255 } : {});
  const json = strict ? BoundedJson(MAX_CUSTOM_DATA_BYTES) : Type.Unknown();
  return {
    text: Type.Object({ text: text(MAX_TEXT, 1) }),
    image: Type.Object({
      fileId,
      name: text(MAX_FILE_NAME, 1),
      size: int(0),
      mime,
      width: int(0, 100_000),
      height: int(0, 100_000),
    }),
    file: Type.Object({ fileId, name: text(MAX_FILE_NAME, 1), size: int(0), mime }),
    voice: Type.Object({ fileId, durationMs: int(0, 24 * 3600_000) }),
    location: Type.Object({ lat: num(-90, 90), lng: num(-180, 180), label: text(MAX_LOCATION_LABEL) }),
    custom: Type.Object({ type: text(64, 1), data: json }),
    /** Written by the server; `event` names what happened (system-events.ts lists the group events). */
    system: Type.Object(
      { event: Type.String(), actor: Type.Optional(Type.String()), targets: Type.Optional(Type.Array(Type.String())) },
      { additionalProperties: true },
    ),
    recall: Type.Object({ seq: int(1) }),
    edit: Type.Object({ seq: int(1), text: text(MAX_TEXT, 1) }),
  } satisfies Record<string, TSchema>;
}

/** Bodies as a client may send them (and the admin API may post them): every limit checked. */
export const ENTRY_BODIES = entryBodies(true);
/** Bodies as a server delivers them: the shape, no limits. */
export const STORED_ENTRY_BODIES = entryBodies(false);

export const TextBody = ENTRY_BODIES.text;
export const ImageBody = ENTRY_BODIES.image;
export const FileBody = ENTRY_BODIES.file;
export const VoiceBody = ENTRY_BODIES.voice;
export const LocationBody = ENTRY_BODIES.location;
export const CustomBody = ENTRY_BODIES.custom;
export const SystemBody = ENTRY_BODIES.system;
export const RecallBody = ENTRY_BODIES.recall;
export const EditBody = ENTRY_BODIES.edit;

export type EntryKind = keyof typeof ENTRY_BODIES;
export const ENTRY_KINDS = Object.keys(ENTRY_BODIES) as EntryKind[];
/** Kinds a client may `send`; `system` and `recall` entries are written by the server only. */
export const SENDABLE_KINDS = ['text', 'image', 'file', 'voice', 'location', 'custom', 'edit'] as const;
export type SendableKind = (typeof SENDABLE_KINDS)[number];
/** Kinds whose body names an uploaded file. */
export const FILE_KINDS: ReadonlySet<EntryKind> = new Set<EntryKind>(['image', 'file', 'voice']);

export type EntryBodies = { [K in EntryKind]: Static<(typeof ENTRY_BODIES)[K]> };

/** A recalled entry's body: `{}`. */
const ErasedBody = Type.Record(Type.String(), Type.Never());

/** The fields every entry has; a server may add more (a newer one, say). */
const entryBase = {
  convId: ConvId,
  seq: Seq,
  msgId: Type.String(),
  clientMsgId: Type.String(),
  from: Type.String(),
  ts: Type.Integer(),
  mentions: Type.Optional(Type.Array(Type.String())),
  replyTo: Type.Optional(Seq),
  /** Present and true when the entry was recalled; its body is then `{}`. */
  recalled: Type.Optional(Type.Boolean()),
};

function entryOf<K extends EntryKind>(kind: K) {
  return Type.Object({ ...entryBase, kind: Type.Literal(kind), body: Type.Union([STORED_ENTRY_BODIES[kind], ErasedBody]) });
}

/** A log entry as a server delivers it (in `history`, `sync`, `room.join` and `msg` events), one variant per kind. */
export const LogEntrySchema = Type.Union([
  entryOf('text'),
  entryOf('image'),
  entryOf('file'),
  entryOf('voice'),
  entryOf('location'),
  entryOf('custom'),
  entryOf('system'),
  entryOf('recall'),
  entryOf('edit'),
]);

/** A log entry, discriminated by kind. A recalled entry has an empty body. */
export type LogEntry = Static<typeof LogEntrySchema>;

/** `system` and `recall` entries cannot be recalled (BAD_REQUEST), nor can an entry twice (CONFLICT). */
export function isRecallable(entry: { kind: string; recalled?: boolean }): boolean {
  return entry.kind !== 'system' && entry.kind !== 'recall' && entry.recalled !== true;
}
