/**
 * Configs and docs as text: config trees rendered as JSON-ready trees, YAML, TOML and INI; Markdown; licence
 * texts (MIT, BSD-3-Clause, an Apache-like one).
 */
import type { Rng } from "./random.js";
import type { Pools, Vocab } from "./vocabulary.js";

type Scalar = string | number | boolean;
export type Tree = { [k: string]: Scalar | Scalar[] | Tree };

export function configTree(r: Rng, v: Vocab, depth: number, width: number): Tree {
  const t: Tree = {};
  for (let i = r.range(2, width); i > 0; i--) {
    const k = v.snake(1);
    const kind = r.int(10);
    if (depth > 0 && kind < 3) t[k] = configTree(r, v, depth - 1, width);
    else if (kind < 4) t[k] = Array.from({ length: r.range(1, 5) }, () => v.word());
    else t[k] = configScalar(r, v);
  }
  return t;
}

function configScalar(r: Rng, v: Vocab): Scalar {
  switch (r.int(8)) {
    case 0: return r.int(10000);
    case 1: return r.chance(0.5);
    case 2: return `${v.word()}.${v.word()}.svc.cluster.local`;
    case 3: return `/var/lib/${v.word()}/${v.snake(1)}`;
    case 4: return r.float() < 0.5 ? Math.round(r.float() * 1000) / 100 : `${r.int(60)}s`;
    default: return v.word();
  }
}

export function yaml(t: Tree, ind = ""): string {
  let s = "";
  for (const [k, val] of Object.entries(t)) {
    if (Array.isArray(val)) s += `${ind}${k}:\n${val.map((x) => `${ind}  - ${x}`).join("\n")}\n`;
    else if (typeof val === "object") s += `${ind}${k}:\n${yaml(val, `${ind}  `)}`;
    else s += `${ind}${k}: ${val}\n`;
  }
  return s;
}

export function toml(t: Tree, prefix = ""): string {
  let s = "";
  const tables: string[] = [];
  for (const [k, val] of Object.entries(t)) {
    if (Array.isArray(val)) s += `${k} = [${val.map((x) => JSON.stringify(x)).join(", ")}]\n`;
    else if (typeof val === "object") tables.push(`\n[${prefix}${k}]\n${toml(val, `${prefix}${k}.`)}`);
    else s += `${k} = ${JSON.stringify(val)}\n`;
  }
  return s + tables.join("");
}

export function ini(r: Rng, v: Vocab, sections: number): string {
  let s = `# ${v.sentence()}\n`;
  for (let i = 0; i < sections; i++) {
    s += `\n[${v.snake(1)}]\n`;
    for (let j = r.range(2, 9); j > 0; j--) s += `${v.snake(2)} = ${configScalar(r, v)}\n`;
  }
  return s;
}

export function markdown(r: Rng, v: Vocab, size: number): string {
  let s = `# ${v.camel(2)}\n\n`;
  while (s.length < size) {
    const k = r.int(6);
    if (k === 0) s += `## ${v.sentence().slice(0, -1)}\n\n`;
    else if (k === 1) s += `\`\`\`python\nfrom ${v.snake(1)} import ${v.camel(2)}\n\n${v.snake(2)} = ${v.camel(2)}(${v.snake(1)}=${r.int(100)})\n\`\`\`\n\n`;
    else if (k === 2) s += `${Array.from({ length: r.range(2, 5) }, () => `- ${v.sentence()}`).join("\n")}\n\n`;
    else s += `${v.paragraph(2, 6).join("\n")}\n\n`;
  }
  return s;
}

const MIT = `Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
`;

const BSD3 = `Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions are met:

1. Redistributions of source code must retain the above copyright notice, this
   list of conditions and the following disclaimer.

2. Redistributions in binary form must reproduce the above copyright notice,
   this list of conditions and the following disclaimer in the documentation
   and/or other materials provided with the distribution.

3. Neither the name of the copyright holder nor the names of its
   contributors may be used to endorse or promote products derived from
   this software without specific prior written permission.

THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS"
AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE
IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE
FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR
SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER
CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY,
OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
`;

export function license(r: Rng, v: Vocab, p: Pools, holder: string): string {
  const year = r.range(2008, 2024);
  const k = r.int(3);
  if (k === 0) return `MIT License\n\nCopyright (c) ${year} ${holder}\n\n${MIT}`;
  if (k === 1) return `BSD 3-Clause License\n\nCopyright (c) ${year}, ${holder}\nAll rights reserved.\n\n${BSD3}`;
  let s = "                                 Apache License\n                           Version 2.0, January 2004\n                        http://www.apache.org/licenses/\n\n   TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION\n\n";
  for (let i = 1; i <= 9; i++) s += `   ${i}. ${v.camel(2)}. ${v.paragraph(3, 7, 72).join("\n      ")}\n\n`;
  return `${s}   END OF TERMS AND CONDITIONS\n\n   Copyright ${year} ${r.pick(p.persons)}\n`;
}
