/**
 * UTF-16 text (Windows tools, PowerShell, .NET configs write it): detected by a byte order mark, or without
 * one by the zero high bytes of ASCII text at every other position, and turned into UTF-8 as it streams,
 * so the line engine sees it as any other text file.
 */
import type { ContentSink } from "../../image/types.js";

export type Utf16 = "utf16le" | "utf16be";

/** Of the byte pairs of ASCII text in UTF-16, this share at least has a zero high byte... */
const ZERO_HIGH = 0.7;
/** ...and at most this share a zero low byte (a NUL character): together they tell text from binary. */
const ZERO_LOW = 0.05;

/** UTF-16 LE or BE when `head` has a BOM or looks like mostly-ASCII UTF-16, else undefined. */
export function sniffUtf16(head: Buffer): Utf16 | undefined {
  if (head.length < 4) return undefined;
  if (head[0] === 0xff && head[1] === 0xfe) return head[2] === 0 && head[3] === 0 ? undefined : "utf16le"; // FF FE 00 00 is UTF-32
  if (head[0] === 0xfe && head[1] === 0xff) return "utf16be";
  const pairs = head.length >> 1;
  let evenZero = 0;
  let oddZero = 0;
  for (let i = 0; i + 1 < head.length; i += 2) {
    if (head[i] === 0) evenZero++;
    if (head[i + 1] === 0) oddZero++;
  }
  if (oddZero >= pairs * ZERO_HIGH && evenZero <= pairs * ZERO_LOW) return mostlyText(head, 0) ? "utf16le" : undefined;
  if (evenZero >= pairs * ZERO_HIGH && oddZero <= pairs * ZERO_LOW) return mostlyText(head, 1) ? "utf16be" : undefined;
  return undefined;
}

/**
 * True when the low bytes of characters whose high byte is zero are mostly not control bytes: a table of
 * small 16-bit numbers has zero high bytes too, but its low bytes are not text.
 */
function mostlyText(head: Buffer, low: 0 | 1): boolean {
  let control = 0;
  let ascii = 0;
  for (let i = 0; i + 1 < head.length; i += 2) {
    if (head[i + 1 - low] !== 0) continue;
    ascii++;
    const b = head[i + low]!;
    if (b < 9 || (b > 13 && b < 32) || b === 127) control++;
  }
  return control <= ascii * 0.1;
}

/** A sink that decodes UTF-16 chunks (odd splits and surrogate pairs across chunks included) into UTF-8 for `out`. */
export function utf16Sink(kind: Utf16, out: ContentSink): ContentSink {
  // Node's TextDecoder streams UTF-16LE and drops a leading BOM; big-endian input is byte-swapped first.
  const decoder = new TextDecoder("utf-16le");
  let carry: number | undefined;
  const swap = (chunk: Buffer): Buffer => {
    const joined = carry === undefined ? chunk : Buffer.concat([Buffer.from([carry]), chunk]);
    const even = joined.length & ~1;
    carry = even < joined.length ? joined[even] : undefined;
    return Buffer.from(joined.subarray(0, even)).swap16();
  };
  const emit = (text: string): void => {
    if (text.length > 0) out.write(Buffer.from(text, "utf8"));
  };
  return {
    write: (chunk) => emit(decoder.decode(kind === "utf16be" ? swap(chunk) : chunk, { stream: true })),
    end() {
      emit(decoder.decode());
      out.end();
    },
  };
}
