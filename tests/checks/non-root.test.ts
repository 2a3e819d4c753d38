import { describe, expect, it } from "vitest";
import { nonRootCheck, resolveUser } from "../../src/checks/image/non-root.js";
import { evidence, group, image, passwd } from "./evidence.js";

const judgeUser = (user: string, files = { "etc/passwd": passwd(), "etc/group": group() }, expectedUid = 1001) =>
  nonRootCheck.judge(evidence({ image: image([{ files: ["app/main.py"] }], { user }, files), config: { expectedUid } }));

describe("resolveUser", () => {
  const pw = Buffer.from(passwd(1001));
  const gr = Buffer.from(group(1001));
  it("resolves names and numbers as the engine does", () => {
    expect(resolveUser("app", pw, gr)).toEqual({ uid: 1001, gid: 1001 });
    expect(resolveUser("1001", pw, gr)).toEqual({ uid: 1001, gid: 1001 });
    expect(resolveUser("1001:0", pw, gr)).toEqual({ uid: 1001, gid: 0 });
    expect(resolveUser("app:nogroup", pw, gr)).toEqual({ uid: 1001, gid: 65534 });
    expect(resolveUser("2000", pw, gr)).toEqual({ uid: 2000, gid: 0 });
    expect(resolveUser("", pw, gr)).toEqual({ uid: 0, gid: 0 });
    expect(resolveUser("root")).toEqual({ error: 'user "root" is not in the image\'s etc/passwd' });
    expect(resolveUser("1001:staff", pw, gr)).toEqual({ error: 'group "staff" is not in the image\'s etc/group' });
  });
});

describe("non-root", () => {
  it("passes a numeric uid equal to expectedUid", () => {
    const j = judgeUser("1001:1001");
    expect(j.verdict).toBe("pass");
    expect(j.evidence).toEqual(['config User: "1001:1001"', "resolves to uid 1001, gid 1001"]);
  });

  it.each(["", "0", "root", "0:0", "root:root"])("fails user %j as root", (user) => {
    const j = judgeUser(user);
    expect(j.verdict).toBe("fail");
    expect(j.summary).toMatch(/root|no USER/);
    expect(j.fix).toContain("USER 1001:1001");
  });

  it("fails a name that maps to uid 0 in the image's passwd", () => {
    const files = { "etc/passwd": `${passwd()}admin:x:0:0::/root:/bin/sh\n`, "etc/group": group() };
    const j = judgeUser("admin", files);
    expect(j.verdict).toBe("fail");
    expect(j.summary).toBe('USER "admin" is root (uid 0)');
    expect(j.evidence).toContain("resolves to uid 0, gid 0");
  });

  it("fails a named non-root user and asks for the numeric form", () => {
    const j = judgeUser("app");
    expect(j.verdict).toBe("fail");
    expect(j.summary).toBe('USER "app" is a name, not a numeric UID');
    expect(j.fix).toContain("USER 1001:1001");
  });

  it("fails a name missing from etc/passwd", () => {
    const j = judgeUser("ghost");
    expect(j.verdict).toBe("fail");
    expect(j.summary).toContain('user "ghost" is not in the image\'s etc/passwd');
  });

  it("fails a uid other than expectedUid", () => {
    const j = judgeUser("1000");
    expect(j.verdict).toBe("fail");
    expect(j.summary).toBe("runs as uid 1000, expected 1001");
    expect(judgeUser("1000", undefined, 1000).verdict).toBe("pass");
  });
});
