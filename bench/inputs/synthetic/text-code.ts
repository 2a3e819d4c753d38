/**
 * Source code as text: Python blocks, modules and .pyi stubs, filler lines of Python, minified JavaScript.
 * Blocks and snippets feed the pools (./pools.ts); whole files are then assembled from the pools.
 */
import { DIGITS, LOWER, type Rng } from "./random.js";
import type { Pools, Vocab } from "./vocabulary.js";

// --- Python ------------------------------------------------------------------------------------------------

function pyStatement(r: Rng, v: Vocab, ind: string): string {
  const a = v.local();
  const b = v.local();
  switch (r.int(16)) {
    case 0: return `${ind}${a} = ${b}.${v.attr()}(${v.attr()}, ${v.literal()})`;
    case 1: return `${ind}if ${a} is None:\n${ind}    ${a} = ${v.literal()}`;
    case 2: { const c = v.camel(2); return `${ind}if not isinstance(${a}, ${c}):\n${ind}    raise TypeError(f"expected ${c}, got {type(${a}).__name__}")`; }
    case 3: return `${ind}for ${a} in ${b}:\n${ind}    ${v.local()}.append(${a}.${v.attr()})`;
    case 4: return `${ind}${a} = [x for x in ${b} if x.${v.attr()}]`;
    case 5: return `${ind}logger.debug("${v.sentence().slice(0, 60).replace(/"/g, "")} %s", ${a})`;
    case 6: return `${ind}# ${v.sentence()}`;
    case 7: return `${ind}try:\n${ind}    ${a} = self._${b}[${v.literal()}]\n${ind}except (LookupError, ValueError) as exc:\n${ind}    raise ${v.camel(2)}Error(str(exc)) from exc`;
    case 8: return `${ind}with open(${a}, "rb") as fh:\n${ind}    ${b} = fh.read()`;
    case 9: return `${ind}${a}: dict[str, Any] = {"${v.word()}": ${r.int(500)}, "${v.word()}": ${v.literal()}}`;
    case 10: return `${ind}${a} += ${r.range(1, 64)}`;
    case 11: return `${ind}assert ${a} >= 0, "${v.word()} must not be negative"`;
    case 12: return `${ind}self.${a} = ${b}`;
    case 13: return `${ind}${a} = ${v.camel(2)}(${v.attr()}=${v.literal()}, ${v.attr()}=${b})`;
    case 14: return `${ind}while ${a} < ${b}:\n${ind}    ${a} = self.${v.attr()}(${a})`;
    default: return `${ind}${a} = ${b} or ${v.literal()}`;
  }
}

function pyFunction(r: Rng, v: Vocab, ind: string, method: boolean): string {
  const names = Array.from({ length: r.range(1, 4) }, () => v.snake(1));
  v.locals = [...names, ...Array.from({ length: r.range(2, 4) }, () => v.snake(2))];
  const args = names.map((n) => `${n}: ${r.pick(["int", "str", "bool", "float", "Any", "bytes", "list[str]", "Sequence[int]", `${v.camel(2)} | None`])}`);
  if (method) args.unshift("self");
  const lines = [`${ind}${r.chance(0.15) ? "async " : ""}def ${r.chance(0.3) ? "_" : ""}${v.snake(3)}(${args.join(", ")}) -> ${r.pick(["None", "int", "str", "bool", v.camel(2)])}:`];
  if (r.chance(0.7)) {
    const doc = v.paragraph(1, 3, 72);
    if (doc.length === 1) lines.push(`${ind}    """${doc[0]}"""`);
    else lines.push(`${ind}    """${doc[0]}`, "", ...doc.slice(1).map((l) => `${ind}    ${l}`), `${ind}    """`);
  }
  for (let i = r.range(2, 14); i > 0; i--) lines.push(pyStatement(r, v, `${ind}    `));
  lines.push(`${ind}    return ${r.chance(0.5) ? v.local() : v.literal()}`);
  v.locals = [];
  return lines.join("\n");
}

export function pyBlock(r: Rng, v: Vocab): string {
  const k = r.int(10);
  if (k < 5) return `${pyFunction(r, v, "", false)}\n\n`;
  if (k < 8) {
    const name = v.camel(3);
    const lines = [`class ${name}(${r.pick(["object", "Exception", "Generic[T]", "Protocol", v.camel(2), `${v.camel(1)}Base`])}):`];
    lines.push(`    """${v.sentence()}"""`, "");
    for (let i = r.range(0, 5); i > 0; i--) lines.push(`    ${v.snake(2)}: ${r.pick(["int", "str", "bool", "float | None", "ClassVar[int]"])} = ${v.literal()}`);
    lines.push("");
    for (let i = r.range(1, 4); i > 0; i--) lines.push(pyFunction(r, v, "    ", true), "");
    return `${lines.join("\n")}\n\n`;
  }
  if (k < 9) {
    const lines = [`# ${v.sentence()}`];
    for (let i = r.range(3, 12); i > 0; i--) lines.push(`${v.snake(2).toUpperCase()} = ${v.literal()}`);
    return `${lines.join("\n")}\n\n`;
  }
  return `${v.paragraph(1, 3, 76).map((l) => `# ${l}`).join("\n")}\n${pyFunction(r, v, "", false)}\n\n`;
}

export function pyiBlock(r: Rng, v: Vocab): string {
  if (r.chance(0.5)) {
    const lines = [`class ${v.camel(2)}:`];
    for (let i = r.range(1, 6); i > 0; i--) lines.push(`    ${v.snake(2)}: ${r.pick(["int", "str", "bool", "float", "bytes"])}`);
    for (let i = r.range(1, 6); i > 0; i--) lines.push(`    def ${v.snake(2)}(self, ${v.snake(1)}: ${r.pick(["int", "str", "_Array", "object"])}) -> ${r.pick(["None", "int", "str", "Self"])}: ...`);
    return `${lines.join("\n")}\n\n`;
  }
  return `@overload\ndef ${v.snake(2)}(${v.snake(1)}: ${r.pick(["int", "str"])}, /) -> ${r.pick(["int", "str", "None"])}: ...\n`;
}

/** A module: a docstring, imports, then blocks from the pool until `size` characters. */
export function pyModule(r: Rng, v: Vocab, p: Pools, pkg: string, size: number): string {
  const doc = v.paragraph(1, 4, 76);
  let s = `"""${doc.join("\n")}\n"""\nfrom __future__ import annotations\n\n`;
  const imports = ["import logging", "import os", "import re", "import sys", "from collections.abc import Sequence", "from typing import Any, ClassVar, Generic, Protocol, TypeVar"];
  for (let i = r.range(2, 5); i > 0; i--) s += `${r.pick(imports)}\n`;
  for (let i = r.range(0, 4); i > 0; i--) s += `from ${pkg}.${v.snake(1)} import ${v.camel(2)}, ${v.snake(2)}\n`;
  s += `\n__all__ = [${Array.from({ length: r.range(1, 5) }, () => `"${v.camel(2)}"`).join(", ")}]\n\nlogger = logging.getLogger(__name__)\nT = TypeVar("T")\n\n\n`;
  const family = r.pick(p.pyFamilies);
  while (s.length < size) s += r.pick(r.chance(0.85) ? family : p.pyBlocks);
  return s;
}

// --- JavaScript --------------------------------------------------------------------------------------------

export function jsSnippet(r: Rng, v: Vocab): string {
  const id = () => r.chars(LOWER, 1) + (r.chance(0.5) ? r.chars(`${LOWER}${DIGITS}`, 1) : "");
  switch (r.int(6)) {
    case 0: return `function ${id()}(${id()},${id()}){var ${id()}=${id()}.${v.word()}||{};return ${id()}.${v.word()}=${r.int(99)},${id()}}`;
    case 1: return `${id()}.prototype.${v.word()}${v.camel(1)}=function(${id()}){return this._${v.word()}[${id()}]!==void 0}`;
    case 2: return `var ${id()}={${Array.from({ length: r.range(2, 8) }, () => `${v.word()}:"${v.word()}"`).join(",")}}`;
    case 3: return `${id()}.exports=function(${id()}){"use strict";if(!${id()})throw new Error("${v.sentence().replace(/"/g, "")}");return ${id()}.${v.word()}(${r.int(4096)})}`;
    case 4: return `for(var ${id()}=0;${id()}<${id()}.length;${id()}++)${id()}[${id()}]=${id()}[${id()}]*${r.int(255)}/${r.range(1, 255)}`;
    default: return `${id()}=${id()}.${v.word()}(/${v.word()}|${v.word()}/g,"${v.word()}")`;
  }
}

export function jsLine(r: Rng, p: Pools, length: number): string {
  const parts: string[] = [];
  let n = 0;
  while (n < length) {
    const s = r.pick(p.jsSnippets);
    parts.push(s);
    n += s.length + 1;
  }
  return parts.join(r.chance(0.5) ? ";" : ",");
}

/** Lines of Python from the block pool, about `n` of them. */
export function pyFiller(r: Rng, p: Pools, n: number): string[] {
  const out: string[] = [];
  while (out.length < n) out.push(...r.pick(p.pyBlocks).split("\n"));
  return out;
}
