/**
 * How deeply a YAML text nests, measured on the lexer's flat token stream before anything is
 * composed. The yaml package composes (and the model validates) nodes recursively: a few thousand
 * `[` overflow the stack, and 500,000 `- ` on one line take seconds and then exhaust memory. The
 * lexer is linear and needs no recursion, so the depth can be judged first.
 *
 * The measure counts each `[`/`{` and each block indicator (`-`, `?`, `:`) above the open block
 * collections its line is indented under. A block sequence written at its parent key's column
 * (`key:\n- item`) is counted once for the two levels, so the true depth is at most twice the
 * measure: a limit on the measure bounds the recursion all the same.
 */
import { CST, Lexer } from 'yaml';

/** nmaas.yaml nests about 5 levels; 64 leaves room for any real declaration and none for an attack. */
export const MAX_YAML_DEPTH = 64;

export interface DeepPoint {
  /** 1-based position of the token that went past the limit. */
  line: number;
  column: number;
}

/** Where `text` first nests deeper than `limit`, or undefined when it never does. */
export function firstTooDeep(text: string, limit = MAX_YAML_DEPTH): DeepPoint | undefined {
  // Open block collections: the column of the indicator that opened each, and its depth.
  const open: { column: number; depth: number }[] = [];
  let flow = 0;
  let line = 1;
  let column = 0;
  let lineStart = true;
  // Where the node after the last indicator on this line starts: a mapping sits at its key's
  // column, not its colon's (`key:` at 0 holds `  child:` at 2, though its colon is at 3).
  let nodeStart: number | undefined;
  for (const token of new Lexer().lex(text)) {
    const type = CST.tokenType(token);
    // The lexer marks documents, scalars and flow ends with control characters not in the text.
    if (token === '' || type === 'doc-mode' || type === 'flow-error-end' || token === '\x1f') continue;
    if (type === 'doc-start' || type === 'doc-end') open.length = 0;
    if (flow === 0 && lineStart && type !== 'space' && type !== 'newline' && type !== 'comment') {
      // The first thing on a line closes every block collection opened at or right of it.
      while (open.length > 0 && open[open.length - 1]!.column >= column) open.pop();
    }
    let depth: number | undefined;
    if (type === 'flow-seq-start' || type === 'flow-map-start') {
      flow++;
      depth = (open.length === 0 ? 0 : open[open.length - 1]!.depth) + flow;
    } else if (type === 'flow-seq-end' || type === 'flow-map-end') {
      flow = Math.max(0, flow - 1);
    } else if (flow === 0 && (type === 'seq-item-ind' || type === 'explicit-key-ind' || type === 'map-value-ind')) {
      depth = (open.length === 0 ? 0 : open[open.length - 1]!.depth) + 1;
      open.push({ column: type === 'map-value-ind' ? (nodeStart ?? column) : column, depth });
      nodeStart = undefined;
    } else if (flow === 0 && nodeStart === undefined && type !== 'space' && type !== 'newline' && type !== 'comment') {
      nodeStart = column;
    }
    if (depth !== undefined && depth > limit) return { line, column: column + 1 };
    // Advance the position; scalars and comments may span lines.
    const lastNewline = token.lastIndexOf('\n');
    if (type === 'newline' || lastNewline >= 0) {
      if (type === 'newline') line++;
      else line += token.split('\n').length - 1;
      column = type === 'newline' ? 0 : token.length - lastNewline - 1;
      lineStart = type === 'newline' || lastNewline === token.length - 1;
      if (lineStart) nodeStart = undefined;
    } else {
      column += token.length;
      if (type !== 'space') lineStart = false;
    }
  }
  return undefined;
}
