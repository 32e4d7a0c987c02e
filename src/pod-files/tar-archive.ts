/**
 * A small tar writer and reader, for the archives `kubectl cp` exchanges with `tar` in the container.
 *
 * The writer writes what GNU tar 1.34 writes for `tar cf -` (its default `gnu` format): `ustar  \0` magic,
 * owner `root`, names longer than 100 bytes in a `././@LongLink` entry (typeflag `L`, `K` for link targets),
 * and the end of archive padded to a 10240-byte record. kubectl reads it with Go's `archive/tar`.
 *
 * The reader reads what kubectl writes with Go's `archive/tar` (`makeTar`: USTAR, with a prefix field for long
 * paths, PAX `x` records beyond that) and what GNU tar writes (GNU long names), with base-256 numbers.
 * @see https://www.gnu.org/software/tar/manual/html_node/Standard.html
 * @see https://cs.opensource.google/go/go/+/refs/tags/go1.24.0:src/archive/tar/reader.go
 */

const BLOCK = 512;
/** GNU tar's default record size (blocking factor 20). */
const RECORD = 20 * BLOCK;
const NAME_SIZE = 100;

/** The kinds of member this module distinguishes. */
export type TarEntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other';

/** One member of an archive. */
export interface TarEntry {
  name: string;
  type: TarEntryType;
  /** The header's typeflag character, for messages about `other` members. */
  typeflag: string;
  /** Permission bits (with setuid, setgid, sticky). */
  mode: number;
  mtime: Date;
  /** A regular file's content (empty for the others). */
  content: Buffer;
  /** A link's target. */
  linkname: string;
}

/** What went wrong reading an archive, in GNU tar's terms. */
export type TarReadError = 'not-a-tar' | 'unexpected-eof';

function writeString(block: Buffer, offset: number, size: number, value: string): void {
  Buffer.from(value, 'utf8').copy(block, offset, 0, size);
}

function writeOctal(block: Buffer, offset: number, size: number, value: number): void {
  writeString(
    block,
    offset,
    size - 1,
    Math.trunc(value)
      .toString(8)
      .padStart(size - 1, '0'),
  );
}

function headerBlock(fields: {
  name: string;
  mode: number;
  size: number;
  mtime: number;
  typeflag: string;
  linkname?: string;
}): Buffer {
  const block = Buffer.alloc(BLOCK);
  writeString(block, 0, NAME_SIZE, fields.name);
  writeOctal(block, 100, 8, fields.mode);
  writeOctal(block, 108, 8, 0);
  writeOctal(block, 116, 8, 0);
  writeOctal(block, 124, 12, fields.size);
  writeOctal(block, 136, 12, fields.mtime);
  block.write(fields.typeflag, 156, 'latin1');
  writeString(block, 157, NAME_SIZE, fields.linkname ?? '');
  block.write('ustar  \0', 257, 'latin1');
  writeString(block, 265, 32, 'root');
  writeString(block, 297, 32, 'root');
  block.fill(' ', 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return block;
}

function padded(data: Buffer): Buffer[] {
  const rest = data.length % BLOCK;
  return rest === 0 ? [data] : [data, Buffer.alloc(BLOCK - rest)];
}

function longLink(typeflag: 'L' | 'K', value: string): Buffer[] {
  const data = Buffer.concat([Buffer.from(value, 'utf8'), Buffer.alloc(1)]);
  return [
    headerBlock({ name: '././@LongLink', mode: 0o644, size: data.length, mtime: 0, typeflag }),
    ...padded(data),
  ];
}

/** Writes an archive as GNU tar's `tar cf -` does. Directory names get their trailing `/` here. */
export function writeTar(entries: readonly Omit<TarEntry, 'typeflag'>[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const name = entry.type === 'directory' && !entry.name.endsWith('/') ? `${entry.name}/` : entry.name;
    if (Buffer.byteLength(entry.linkname, 'utf8') > NAME_SIZE) blocks.push(...longLink('K', entry.linkname));
    if (Buffer.byteLength(name, 'utf8') > NAME_SIZE) blocks.push(...longLink('L', name));
    const content = entry.type === 'file' ? entry.content : Buffer.alloc(0);
    const typeflag = { file: '0', hardlink: '1', symlink: '2', directory: '5', other: '0' }[entry.type];
    blocks.push(
      headerBlock({
        name,
        mode: entry.mode & 0o7777,
        size: content.length,
        mtime: Math.floor(entry.mtime.getTime() / 1000),
        typeflag,
        linkname: entry.linkname,
      }),
      ...padded(content),
    );
  }
  blocks.push(Buffer.alloc(2 * BLOCK));
  const length = blocks.reduce((total, b) => total + b.length, 0);
  const record = Math.ceil(length / RECORD) * RECORD;
  return Buffer.concat([...blocks, Buffer.alloc(record - length)]);
}

function readString(block: Buffer, offset: number, size: number): string {
  const field = block.subarray(offset, offset + size);
  const end = field.indexOf(0);
  return field.subarray(0, end < 0 ? size : end).toString('utf8');
}

function readNumber(block: Buffer, offset: number, size: number): number {
  const field = block.subarray(offset, offset + size);
  if (field[0]! & 0x80) {
    // Base-256 (GNU and Go beyond the octal range): big-endian, the first byte's top bit is the marker.
    let value = field[0]! & 0x7f;
    for (const byte of field.subarray(1)) value = value * 256 + byte;
    return value;
  }
  const text = field
    .toString('latin1')
    .replace(/[\0 ]+$/, '')
    .trim();
  return text === '' ? 0 : parseInt(text, 8);
}

function checksumOk(block: Buffer): boolean {
  const stored = readNumber(block, 148, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  return stored === unsigned || stored === signed;
}

function paxRecords(data: Buffer): Map<string, string> {
  const records = new Map<string, string>();
  let offset = 0;
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset);
    if (space < 0) break;
    const length = parseInt(data.subarray(offset, space).toString('latin1'), 10);
    if (!Number.isInteger(length) || length <= 0) break;
    const record = data.subarray(space + 1, offset + length - 1).toString('utf8');
    const equals = record.indexOf('=');
    if (equals > 0) records.set(record.slice(0, equals), record.slice(equals + 1));
    offset += length;
  }
  return records;
}

function entryType(typeflag: string, name: string): TarEntryType {
  switch (typeflag) {
    case '0':
    case '\0':
    case '7':
      // A pre-POSIX archive marks directories by the trailing slash alone.
      return typeflag === '\0' && name.endsWith('/') ? 'directory' : 'file';
    case '1':
      return 'hardlink';
    case '2':
      return 'symlink';
    case '5':
      return 'directory';
    default:
      return 'other';
  }
}

/**
 * Reads an archive. It stops at the end-of-archive blocks, at the end of the data, or at an error: what was
 * read before an error is returned with it (GNU tar extracts those members before it gives up).
 */
export function readTar(data: Buffer): { entries: TarEntry[]; error?: TarReadError } {
  const entries: TarEntry[] = [];
  let offset = 0;
  let longName: string | undefined;
  let longLinkname: string | undefined;
  let pax = new Map<string, string>();
  const fail = (error: TarReadError): { entries: TarEntry[]; error: TarReadError } => ({
    entries,
    error,
  });
  for (;;) {
    if (offset >= data.length) return offset === 0 ? fail('not-a-tar') : { entries };
    if (offset + BLOCK > data.length) return fail(entries.length === 0 ? 'not-a-tar' : 'unexpected-eof');
    const block = data.subarray(offset, offset + BLOCK);
    if (block.every((byte) => byte === 0)) return offset === 0 ? fail('not-a-tar') : { entries };
    if (!checksumOk(block)) return fail(offset === 0 ? 'not-a-tar' : 'unexpected-eof');
    const typeflag = String.fromCharCode(block[156]!);
    const size = readNumber(block, 124, 12);
    const bodyStart = offset + BLOCK;
    const bodyEnd = bodyStart + (pax.has('size') ? Number(pax.get('size')) : size);
    if (bodyEnd > data.length) return fail('unexpected-eof');
    const body = data.subarray(bodyStart, bodyEnd);
    offset = bodyStart + Math.ceil((bodyEnd - bodyStart) / BLOCK) * BLOCK;

    if (typeflag === 'L' || typeflag === 'K') {
      const value = body.toString('utf8').replace(/\0+$/, '');
      if (typeflag === 'L') longName = value;
      else longLinkname = value;
      continue;
    }
    if (typeflag === 'x') {
      pax = new Map([...pax, ...paxRecords(body)]);
      continue;
    }
    if (typeflag === 'g') continue;

    let name = readString(block, 0, NAME_SIZE);
    const prefix = block.toString('latin1', 257, 263) === 'ustar\0' ? readString(block, 345, 155) : '';
    if (prefix !== '') name = `${prefix}/${name}`;
    name = pax.get('path') ?? longName ?? name;
    const mtime = pax.has('mtime') ? Number(pax.get('mtime')) : readNumber(block, 136, 12);
    const type = entryType(typeflag, name);
    entries.push({
      name,
      type,
      typeflag,
      mode: readNumber(block, 100, 8) & 0o7777,
      mtime: new Date(mtime * 1000),
      content: type === 'file' ? Buffer.from(body) : Buffer.alloc(0),
      linkname: pax.get('linkpath') ?? longLinkname ?? readString(block, 157, NAME_SIZE),
    });
    longName = undefined;
    longLinkname = undefined;
    pax = new Map();
  }
}
