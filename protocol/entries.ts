/** Log entries (messages) of docs/protocol.md: kinds, bodies and the entry itself. */
import { Type, type Static } from '@sinclair/typebox';
import { FILE_ID_PATTERN, ID_PATTERN } from './ids.js';
import { BoundedJson, CanonicalConvId, CodePointString } from './kinds.js';

export const MAX_TEXT = 8000;
export const MAX_CUSTOM_DATA_BYTES = 8 * 1024;

export const UserId = Type.String({ pattern: ID_PATTERN });
export const ConvId = CanonicalConvId();
export const FileId = Type.String({ pattern: FILE_ID_PATTERN });
export const ClientMsgId = Type.String({ pattern: '^[\\x21-\\x7e]{1,64}$' });
export const Seq = Type.Integer({ minimum: 1 });
export const Mentions = Type.Array(Type.String({ pattern: `(${ID_PATTERN})|(^@all$)` }), { maxItems: 100 });

const FileName = CodePointString(255, 1);
const Mime = Type.String({ minLength: 1, maxLength: 255 });
const Size = Type.Integer({ minimum: 0 });

export const TextBody = Type.Object({ text: CodePointString(MAX_TEXT, 1) });
export const ImageBody = Type.Object({
  fileId: FileId,
  name: FileName,
  size: Size,
  mime: Mime,
  width: Type.Integer({ minimum: 0, maximum: 100_000 }),
  height: Type.Integer({ minimum: 0, maximum: 100_000 }),
});
export const FileBody = Type.Object({ fileId: FileId, name: FileName, size: Size, mime: Mime });
export const VoiceBody = Type.Object({ fileId: FileId, durationMs: Type.Integer({ minimum: 0, maximum: 24 * 3600_000 }) });
export const LocationBody = Type.Object({
  lat: Type.Number({ minimum: -90, maximum: 90 }),
  lng: Type.Number({ minimum: -180, maximum: 180 }),
  label: CodePointString(500),
});
export const CustomBody = Type.Object({ type: CodePointString(64, 1), data: BoundedJson(MAX_CUSTOM_DATA_BYTES) });
export const SystemBody = Type.Object(
  { event: Type.String(), actor: Type.Optional(Type.String()), targets: Type.Optional(Type.Array(Type.String())) },
  { additionalProperties: true },
);
export const RecallBody = Type.Object({ seq: Seq });
export const EditBody = Type.Object({ seq: Seq, text: CodePointString(MAX_TEXT, 1) });

export const ENTRY_BODIES = {
  text: TextBody,
  image: ImageBody,
  file: FileBody,
  voice: VoiceBody,
  location: LocationBody,
  custom: CustomBody,
  system: SystemBody,
  recall: RecallBody,
  edit: EditBody,
} as const;

export type EntryKind = keyof typeof ENTRY_BODIES;
export const ENTRY_KINDS = Object.keys(ENTRY_BODIES) as EntryKind[];
/** Kinds a client may `send`; `system` and `recall` entries are written by the server only. */
export const SENDABLE_KINDS = ['text', 'image', 'file', 'voice', 'location', 'custom', 'edit'] as const;
export type SendableKind = (typeof SENDABLE_KINDS)[number];
/** Kinds whose body names an uploaded file. */
export const FILE_KINDS: ReadonlySet<EntryKind> = new Set<EntryKind>(['image', 'file', 'voice']);

export type EntryBodies = { [K in EntryKind]: Static<(typeof ENTRY_BODIES)[K]> };

export const LogEntrySchema = Type.Object({
  convId: ConvId,
  seq: Seq,
  msgId: Type.String(),
  clientMsgId: Type.String(),
  from: Type.String(),
  ts: Type.Integer(),
  kind: Type.Union(ENTRY_KINDS.map((k) => Type.Literal(k))),
  body: Type.Record(Type.String(), Type.Unknown()),
  mentions: Type.Optional(Type.Array(Type.String())),
  replyTo: Type.Optional(Seq),
  recalled: Type.Optional(Type.Boolean()),
});

interface EntryBase {
  convId: string;
  seq: number;
  msgId: string;
  clientMsgId: string;
  from: string;
  ts: number;
  mentions?: string[];
  replyTo?: number;
  /** Present and true when the entry was recalled; its body is then `{}`. */
  recalled?: boolean;
}

/** A log entry, discriminated by kind. A recalled entry has an empty body. */
export type LogEntry = {
  [K in EntryKind]: EntryBase & { kind: K; body: EntryBodies[K] | Record<string, never> };
}[EntryKind];
