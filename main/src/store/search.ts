/**
 * Full-text search over messages. The index returns matches newest first (its rowids are time-ordered message
 * ids), filtered in the same query; the newest CANDIDATES of them are scored in JavaScript (relevance × recency)
 * and the best `limit` returned with snippets. Bounding the candidates keeps a query for a word found in
 * hundreds of thousands of messages as fast as a rare one; the price is that for such a word an old message can
 * only appear if it is among the newest CANDIDATES matches (filters narrow that window, as they apply first:
 * conversation and sender inside the index, dates as a rowid range).
 * FTS5's own bm25() is not used: it counts each term's matches across the whole index on every query.
 */
import type Database from 'better-sqlite3';
import type { EntryKind } from '../../../protocol/index.js';
import { IDS_PER_MS, idFloorForTs } from './id-allocator.js';
import { conversationScopeWord, senderScopeWord } from './index-text.js';
import { parseSearchQuery } from './search-query.js';
import { analyze, makeSnippet, recencyWeight } from './search-rank.js';
import type { SearchHit, SearchOptions } from './types.js';

export const CANDIDATES = 250;
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;
/**
 * Date filters also bound the rowid, so the index skips what is out of range. A message's id comes from its
 * creation time, which can differ a little from its server ts, hence the slack; the exact test is on ts.
 */
const ID_SLACK_MS = 86_400_000;

interface CandidateRow {
  id: number;
  conv_id: string;
  seq: number | null;
  sender: string;
  ts: number;
  kind: string;
  text: string;
  mentions: string | null;
}

type Filter = 'convId' | 'from' | 'since' | 'until';
const FILTER_SQL: Record<Filter, string> = {
  convId: 'm.conv_id = @convId',
  from: 'm.sender = @from',
  since: 'messages_fts.rowid >= @sinceId AND m.ts >= @since',
  until: 'messages_fts.rowid < @untilId AND m.ts <= @until',
};

export class MessageSearch {
  private readonly statements = new Map<string, Database.Statement<[Record<string, unknown>]>>();
  private allMatches: Database.Statement<[string]> | undefined;

  constructor(private readonly db: Database.Database) {}

  private statement(filters: Filter[]): Database.Statement<[Record<string, unknown>]> {
    const key = filters.join(',');
    let statement = this.statements.get(key);
    if (!statement) {
      // CROSS JOIN keeps the index as the outer loop, so rows come in rowid order and LIMIT stops the scan early.
      statement = this.db.prepare(
        `SELECT m.id, m.conv_id, m.seq, m.sender, m.ts, m.kind, m.text, m.mentions
         FROM messages_fts CROSS JOIN messages m ON m.id = messages_fts.rowid
         WHERE messages_fts MATCH @match AND m.recalled = 0 AND m.text IS NOT NULL
           ${filters.map((f) => `AND ${FILTER_SQL[f]}`).join(' ')}
         ORDER BY messages_fts.rowid DESC LIMIT @candidates`,
      );
      this.statements.set(key, statement);
    }
    return statement;
  }

  search(query: string, options: SearchOptions, now: number): SearchHit[] {
    const parsed = parseSearchQuery(query);
    if (!parsed) return [];
    const limit = Math.min(Math.max(Math.trunc(options.limit ?? DEFAULT_LIMIT), 1), MAX_LIMIT);
    // Text phrases only match the text column; conversation and sender also go in as scope words (index-text.ts).
    let match = `{text} : (${parsed.match})`;
    const params: Record<string, unknown> = { candidates: Math.max(CANDIDATES, limit) };
    const filters: Filter[] = [];
    if (options.convId !== undefined) {
      filters.push('convId');
      params.convId = options.convId;
      match += ` AND {scope} : "${conversationScopeWord(options.convId)}"`;
    }
    if (options.from !== undefined) {
      filters.push('from');
      params.from = options.from;
      match += ` AND {scope} : "${senderScopeWord(options.from)}"`;
    }
    params.match = match;
    if (options.since !== undefined) {
      filters.push('since');
      params.since = options.since;
      params.sinceId = idFloorForTs(options.since - ID_SLACK_MS);
    }
    if (options.until !== undefined) {
      filters.push('until');
      params.until = options.until;
      params.untilId = idFloorForTs(options.until + ID_SLACK_MS) + IDS_PER_MS;
    }
    const rows = this.statement(filters).all(params) as CandidateRow[];
    const scored = rows.map((row) => {
      const analysis = analyze(row.text, parsed.phrases);
      return { row, analysis, score: analysis.relevance * recencyWeight(row.ts, now) };
    });
    scored.sort((a, b) => b.score - a.score || b.row.ts - a.row.ts || b.row.id - a.row.id);
    return scored.slice(0, limit).map(({ row, analysis, score }) => {
      const hit: SearchHit = {
        id: row.id,
        convId: row.conv_id,
        seq: row.seq,
        from: row.sender,
        ts: row.ts,
        kind: row.kind as EntryKind,
        snippet: makeSnippet(row.text, analysis.ranges),
        score,
      };
      if (row.mentions !== null) hit.mentions = JSON.parse(row.mentions) as string[];
      return hit;
    });
  }

  /**
   * The ids of every message the index matches for `query`, no candidate window and no ranking; for tests that
   * measure recall against a scan of the messages.
   */
  allMatchingIds(query: string): number[] {
    const parsed = parseSearchQuery(query);
    if (!parsed) return [];
    this.allMatches ??= this.db.prepare(
      `SELECT m.id FROM messages_fts CROSS JOIN messages m ON m.id = messages_fts.rowid
       WHERE messages_fts MATCH ? AND m.recalled = 0 AND m.text IS NOT NULL ORDER BY m.id`,
    );
    return (this.allMatches.pluck().all(`{text} : (${parsed.match})`) as number[]);
  }
}
