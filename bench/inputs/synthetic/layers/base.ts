/**
 * Layer 0, the base: a Debian bookworm root filesystem (etc, shared libraries, binaries, package docs, dpkg
 * status). Plants: an AWS key pair in a boto config, an OpenSSH host key.
 */
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { MiB } from "../constants.js";
import { elfFile, fill, type LayerPlan } from "../layer-writer.js";
import { Lines, type PlantValues } from "../plants.js";
import { hex } from "../random.js";
import { ini } from "../text-docs.js";

const DEB_PACKAGES = `base-files base-passwd bash bsdutils ca-certificates coreutils dash debconf debian-archive-keyring
debianutils diffutils dpkg e2fsprogs findutils gcc-12-base gpgv grep gzip hostname init-system-helpers libacl1 libapt-pkg6.0
libattr1 libaudit1 libblkid1 libbz2-1.0 libc-bin libc6 libcap-ng0 libcap2 libcom-err2 libcrypt1 libdb5.3 libdebconfclient0
libexpat1 libffi8 libgcc-s1 libgcrypt20 libgdbm6 libgmp10 libgnutls30 libgpg-error0 libhogweed6 libidn2-0 liblz4-1 liblzma5
libmd0 libmount1 libncursesw6 libnettle8 libnsl2 libp11-kit0 libpam-modules libpam0g libpcre2-8-0 libreadline8 libseccomp2
libselinux1 libsemanage2 libsepol2 libsmartcols1 libsqlite3-0 libss2 libssl3 libstdc++6 libsystemd0 libtasn1-6 libtinfo6
libtirpc3 libudev1 libunistring2 libuuid1 libxxhash0 libzstd1 login mawk mount ncurses-base ncurses-bin netbase openssl
passwd perl-base readline-common sed sysvinit-utils tar tzdata usr-is-merged util-linux zlib1g`.split(/\s+/);

const BINARIES = "bash cat chmod chown cp date dd df dir dmesg echo false grep gzip hostname kill ln ls mkdir mknod mktemp more mount mv pidof pwd readlink rm rmdir sed sleep stty sync tar touch true umount uname zcat apt apt-get dpkg dpkg-query find xargs sort uniq head tail cut tr wc env id install stat tee timeout nohup nice chroot getent ldd locale openssl perl".split(" ");

export function baseLayer(pv: PlantValues): LayerPlan {
  return {
    createdBy: `/bin/sh -c #(nop) ADD file:${createHash("sha256").update("bookworm-rootfs").digest("hex")} in / `,
    share: 0.11,
    async generate(w, budget) {
      const { r, v } = w;
      for (const [l, t] of [["bin", "usr/bin"], ["lib", "usr/lib"], ["lib64", "usr/lib64"], ["sbin", "usr/sbin"]]) await w.symlink(l, t);
      for (const d of ["boot", "dev", "home", "media", "mnt", "opt", "proc", "root", "run", "srv", "sys", "tmp", "var/cache", "var/log", "var/tmp"]) await w.dir(d);
      await w.file("etc/passwd", "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nbin:x:2:2:bin:/bin:/usr/sbin/nologin\nsys:x:3:3:sys:/dev:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n", "configDocs");
      await w.file("etc/group", "root:x:0:\ndaemon:x:1:\nbin:x:2:\nsys:x:3:\nadm:x:4:\ntty:x:5:\nstaff:x:50:\nnogroup:x:65534:\n", "configDocs");
      await w.file("etc/shadow", "root:*:19868:0:99999:7:::\ndaemon:*:19868:0:99999:7:::\nbin:*:19868:0:99999:7:::\nsys:*:19868:0:99999:7:::\nnobody:*:19868:0:99999:7:::\n", "configDocs", 0o640);
      await w.file("etc/os-release", 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\nHOME_URL="https://www.debian.org/"\n', "configDocs");
      await w.file("etc/debian_version", "12.5\n", "configDocs");
      await w.file("etc/hostname", "buildkitsandbox\n", "configDocs");
      await w.file("etc/apt/sources.list.d/debian.sources", "Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm bookworm-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n", "configDocs");
      for (const name of ["adduser", "ld.so", "nsswitch", "host", "mke2fs", "sysctl", "xattr", "gai", "deluser", "e2scrub"]) {
        await w.file(`etc/${name}.conf`, ini(r, v, r.range(1, 4)), "configDocs");
      }
      // Plants: a boto config and an SSH host key baked into the base.
      const boto = new Lines().push(`# ${v.sentence()}`, "[Boto]", "debug = 0", "num_retries = 10", "", "[Credentials]");
      boto.plant("aws-key-id-in-etc-boto-cfg", "aws-access-key-id", `aws_access_key_id = ${pv.awsKeyId2}`);
      boto.push("# rotated by the platform team, see the runbook", "");
      boto.plant("aws-secret-in-etc-boto-cfg", "aws-secret-access-key", `aws_secret_access_key = ${pv.awsSecret2}`);
      boto.push("", "[s3]", "calling_format = boto.s3.connection.OrdinaryCallingFormat", "use-sigv4 = True");
      await w.plantedFile("etc/boto.cfg", boto, "configDocs");
      await w.plantedFile("etc/ssh/ssh_host_ed25519_key", new Lines().plant("openssh-key-in-etc-ssh", "openssh-private-key", ...pv.opensshPem), "configDocs", { mode: 0o600 });
      await w.file("etc/ssh/ssh_host_ed25519_key.pub", `ssh-ed25519 ${Buffer.from(hex(r, 64), "hex").toString("base64")} root@buildkitsandbox\n`, "configDocs");

      const pkgs = [...DEB_PACKAGES];
      const so = budget * (0.045 / 0.11);
      const bins = budget * (0.025 / 0.11);
      const docs = budget * (0.035 / 0.11);
      let status = "";
      await fill(w, "extensions", so, async () => {
        const name = r.chance(0.6) ? r.pick(pkgs).replace(/^lib/, "").replace(/[0-9.-]+$/, "") : v.word();
        const ver = `${r.range(0, 12)}.${r.range(0, 40)}.${r.range(0, 9)}`;
        const path = w.fresh(`usr/lib/x86_64-linux-gnu/lib${name}${r.chance(0.2) ? `-${v.word()}` : ""}.so.${ver}`);
        await elfFile(w, path, r.size(180 * 1024, 1.2, 8 * 1024, Math.min(8 * MiB, so / 6)), false);
        await w.symlink(path.replace(/\.so\.(\d+)\..*$/, ".so.$1"), path.slice(path.lastIndexOf("/") + 1));
      });
      let b = 0;
      await fill(w, "extensions", bins, async () => {
        const path = w.fresh(`usr/bin/${b < BINARIES.length ? BINARIES[b] : v.name().replace("_", "-")}`);
        b++;
        await elfFile(w, path, r.size(60 * 1024, 1.1, 8 * 1024, Math.min(4 * MiB, bins / 6)), true);
      });
      let d = 0;
      await fill(w, "configDocs", docs, async () => {
        const pkg = w.fresh(`usr/share/doc/${d < pkgs.length ? pkgs[d] : `lib${v.name().replace("_", "-")}${r.range(0, 9)}`}`).slice("usr/share/doc/".length);
        d++;
        const holder = r.pick(w.p.persons);
        let c = `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\nUpstream-Name: ${pkg}\nSource: https://salsa.debian.org/debian/${pkg}\n\nFiles: *\nCopyright: ${r.range(1990, 2015)}-2023 ${holder} <${holder.toLowerCase().replace(" ", ".")}@debian.org>\nLicense: ${r.pick(["GPL-2+", "LGPL-2.1+", "BSD-3-clause", "Expat", "GPL-3+"])}\n\n`;
        const size = r.size(4000, 1.0, 400, Math.min(200 * 1024, docs / 10));
        while (c.length < size) c += `License: ${v.camel(1)}\n${v.paragraph(3, 8, 78).map((l) => ` ${l}`).join("\n")}\n .\n`;
        await w.file(`usr/share/doc/${pkg}/copyright`, c, "configDocs");
        if (r.chance(0.4)) {
          const log = `${pkg} (${r.range(1, 9)}.${r.range(0, 20)}-${r.range(1, 5)}) bookworm; urgency=medium\n\n${v.paragraph(2, 10).map((l) => `  * ${l}`).join("\n")}\n\n -- ${holder}  Mon, 03 Jun 2024 09:30:00 +0000\n`.repeat(r.range(2, 12));
          await w.file(`usr/share/doc/${pkg}/changelog.Debian.gz`, gzipSync(log, { level: 9 }), "blobs");
        }
        status += `Package: ${pkg}\nStatus: install ok installed\nPriority: ${r.pick(["required", "important", "optional"])}\nSection: ${r.pick(["libs", "admin", "utils", "shells"])}\nInstalled-Size: ${r.range(20, 9000)}\nMaintainer: ${holder} <debian-${v.word()}@lists.debian.org>\nArchitecture: amd64\nVersion: ${r.range(1, 9)}.${r.range(0, 30)}-${r.range(1, 9)}\nDescription: ${v.sentence().slice(0, -1)}\n${v.paragraph(1, 3, 76).map((l) => ` ${l}`).join("\n")}\n\n`;
      });
      await w.file("var/lib/dpkg/status", status, "configDocs");
    },
  };
}
