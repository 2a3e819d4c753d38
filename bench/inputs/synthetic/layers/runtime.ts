/**
 * Layer 1, the Python runtime: CPython 3.12 under /usr/local (interpreter, libpython, lib-dynload extensions,
 * the stdlib with its .pycs). Plants: a PyPI token in root's .pypirc, a GitLab token in pip.conf.
 */
import { MiB } from "../constants.js";
import { elfFile, fill, type LayerPlan } from "../layer-writer.js";
import { Lines, type PlantValues } from "../plants.js";
import { license } from "../text-docs.js";
import { pyTree, SO_SUFFIX, STDLIB } from "./python-tree.js";

const STDLIB_MODULES = `abc argparse ast base64 bdb bisect bz2 calendar cmd code codecs codeop colorsys compileall configparser contextlib
contextvars copy copyreg cProfile csv dataclasses datetime decimal difflib dis doctest enum filecmp fileinput fnmatch fractions
ftplib functools genericpath getopt gettext glob graphlib gzip heapq hmac imaplib inspect io ipaddress keyword linecache
locale lzma mailbox mimetypes modulefinder netrc ntpath nturl2path numbers opcode operator optparse os pathlib pdb pickle
pickletools pkgutil platform plistlib poplib posixpath pprint profile pstats pty py_compile pyclbr pydoc queue quopri
random reprlib rlcompleter runpy sched selectors shelve shlex shutil signal site smtplib socket socketserver statistics
string stringprep struct subprocess symtable tabnanny tarfile tempfile textwrap threading timeit token tokenize trace
traceback tracemalloc tty turtle types typing uuid warnings wave weakref webbrowser zipapp zipfile zipimport`.split(/\s+/);
const STDLIB_PACKAGES = "asyncio collections concurrent/futures ctypes email email/mime encodings html http importlib importlib/metadata json logging multiprocessing sqlite3 tomllib unittest urllib wsgiref xml/dom xml/etree xml/parsers xml/sax xmlrpc zoneinfo".split(" ");
const DYNLOAD = "_asyncio _bisect _blake2 _bz2 _codecs_cn _codecs_jp _contextvars _crypt _csv _ctypes _datetime _decimal _elementtree _hashlib _heapq _json _lsprof _lzma _md5 _multibytecodec _multiprocessing _opcode _pickle _posixshmem _posixsubprocess _queue _random _sha1 _sha2 _sha3 _socket _sqlite3 _ssl _statistics _struct _uuid _zoneinfo array audioop binascii cmath fcntl grp math mmap pyexpat readline resource select syslog termios unicodedata zlib".split(" ");

export function runtimeLayer(pv: PlantValues): LayerPlan {
  return {
    createdBy: 'RUN /bin/sh -c set -eux; savedAptMark="$(apt-mark showmanual)"; apt-get update; apt-get install -y --no-install-recommends dpkg-dev gcc libbz2-dev libffi-dev libssl-dev make xz-utils zlib1g-dev; ./configure --enable-optimizations --enable-shared --with-lto; make -j "$(nproc)"; make install; ldconfig; python3 --version # buildkit',
    share: 0.14,
    async generate(w, budget) {
      const { r, v } = w;
      const py = budget * (0.075 / 0.14);
      const so = budget * (0.025 / 0.14);
      await elfFile(w, "usr/local/bin/python3.12", 16 * 1024, true);
      for (const l of ["python3", "python"]) await w.symlink(`usr/local/bin/${l}`, "python3.12");
      for (const s of ["pip", "pip3", "idle3", "pydoc3"]) await w.file(`usr/local/bin/${s}`, `#!/usr/local/bin/python3.12\n# -*- coding: utf-8 -*-\nimport re\nimport sys\nfrom pip._internal.cli.main import main\nif __name__ == "__main__":\n    sys.argv[0] = re.sub(r"(-script\\.pyw|\\.exe)?$", "", sys.argv[0])\n    sys.exit(main())\n`, "pythonText", 0o755);
      await elfFile(w, "usr/local/lib/libpython3.12.so.1.0", Math.min(28 * MiB, Math.floor(so * 0.4)), false);
      await w.symlink("usr/local/lib/libpython3.12.so", "libpython3.12.so.1.0");
      const dynBudget = so - w.used.extensions;
      let i = 0;
      await fill(w, "extensions", dynBudget, async () => {
        const path = w.fresh(`${STDLIB}/lib-dynload/${i < DYNLOAD.length ? DYNLOAD[i] : `_${v.name()}`}${SO_SUFFIX}`);
        i++;
        await elfFile(w, path, r.size(90 * 1024, 1.0, 12 * 1024, Math.min(3 * MiB, dynBudget / 8)), false);
      });
      await pyTree(w, STDLIB, "stdlib", py * 0.45, 0.45, { median: 14000, max: 280 * 1024, names: [...STDLIB_MODULES] });
      for (const sub of STDLIB_PACKAGES) {
        await pyTree(w, `${STDLIB}/${sub}`, sub.replace(/\//g, "."), (py * 0.55) / STDLIB_PACKAGES.length, 0.45, { median: 9000, max: 200 * 1024 });
      }
      await w.file(`${STDLIB}/LICENSE.txt`, license(r, v, w.p, "Python Software Foundation"), "configDocs");
      // Plants: credentials of the people who built the runtime, left in root's home and pip's config.
      const pypirc = new Lines().push("[distutils]", "index-servers =", "    pypi", "    internal", "", "[pypi]", "username = __token__");
      pypirc.plant("pypi-token-in-root-pypirc", "pypi-token", `password = ${pv.pypi}`);
      pypirc.push("", "[internal]", "repository = https://pypi.corp.internal/simple/", "username = ci-publisher");
      await w.plantedFile("root/.pypirc", pypirc, "configDocs", { mode: 0o600 });
      const pip = new Lines().push("[global]", "timeout = 60", "index-url = https://pypi.org/simple", "");
      pip.plant("gitlab-pat-in-etc-pip-conf", "gitlab-pat", `extra-index-url = https://__token__:${pv.gitlabPat}@gitlab.corp.internal/api/v4/projects/412/packages/pypi/simple`);
      pip.push("", "[install]", "no-compile = false", "prefer-binary = true");
      await w.plantedFile("etc/pip.conf", pip, "configDocs");
    },
  };
}
