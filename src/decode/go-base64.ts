/**
 * `[]byte` fields as `encoding/json` decodes them: the string is `base64.StdEncoding`, padding required, with
 * `\r` and `\n` skipped; an error names the offset Go's decoder reports (`illegal base64 data at input byte 4`).
 * @see https://github.com/golang/go/blob/master/src/encoding/base64/base64.go (decodeQuantum)
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const isNewline = (byte: number | undefined): boolean => byte === 0x0a || byte === 0x0d;

/** Go's `base64.CorruptInputError` text. */
const corrupt = (offset: number): string => `illegal base64 data at input byte ${offset}`;

/** The offset at which Go's `StdEncoding.Decode` fails on `input`, as its error text; none when it decodes. */
export function goBase64Error(input: string): string | undefined {
  const src = Buffer.from(input, 'utf8');
  let si = 0;
  while (si < src.length) {
    let j = 0;
    for (; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return undefined;
        return corrupt(si - j);
      }
      const byte = src[si]!;
      si++;
      if (byte < 0x80 && ALPHABET.includes(String.fromCharCode(byte))) continue;
      if (isNewline(byte)) {
        j--;
        continue;
      }
      if (byte !== 0x3d /* = */ || j < 2) return corrupt(si - 1);
      if (j === 2) {
        while (si < src.length && isNewline(src[si])) si++;
        if (si === src.length) return corrupt(src.length);
        if (src[si] !== 0x3d) return corrupt(si - 1);
        si++;
      }
      while (si < src.length && isNewline(src[si])) si++;
      return si < src.length ? corrupt(si) : undefined;
    }
  }
  return undefined;
}
