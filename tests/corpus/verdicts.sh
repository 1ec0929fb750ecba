#!/usr/bin/env bash
# Recompute tests/corpus/verdicts.tsv from the real tools. Re-runnable; downloads nothing.
#
#   rules/**/*.y*ml          promtool check rules FILE
#   prometheusrule/**/*.y*ml each YAML document (or item of a `kind: List`) whose kind is
#                            PrometheusRule: its `spec` written to a temporary rule file, then
#                            promtool check rules on it; the file is ok when every spec is
#   alertmanager/**/*.y*ml   amtool check-config FILE, run with cwd = the file's folder; a
#                            Kubernetes Secret holding `alertmanager.yaml` (stringData or base64
#                            data) is unwrapped into a temporary file in that same folder first
#   dashboards/**/*.json     /work/shared/tools/grafana-schema-check FILE (tool `schema`); a
#                            ConfigMap (.yaml) wrapping dashboards has each *.json entry checked
#
# Columns: path (relative to tests/corpus) TAB tool TAB ok|rejected TAB the first line of the
# tool's error message (when that line ends with ':' the next line is appended; tabs and newlines
# become spaces; temporary paths are replaced by the corpus path). Needs promtool, amtool,
# python3 with PyYAML, and for dashboards jsonschema + referencing.
set -euo pipefail
export LC_ALL=C
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SCHEMA_CHECK="${SCHEMA_CHECK:-/work/shared/tools/grafana-schema-check}"
cd "$HERE"
exec python3 - "$SCHEMA_CHECK" <<'PY' | sort > verdicts.tsv
import base64, os, pathlib, subprocess, sys, tempfile
import yaml

SCHEMA_CHECK = sys.argv[1]
ROOT = pathlib.Path(".").resolve()


def first_error(text, replace=()):
    for old, new in replace:
        text = text.replace(old, new)
    lines = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line == "FAILED:" or line.startswith("Checking ") and "FAILED:" not in line:
            continue
        if "FAILED:" in line:
            line = line.split("FAILED:", 1)[1].strip()
            if not line:
                continue
        lines.append(line)
    if not lines:
        return ""
    out = lines[0]
    if out.endswith(":") and len(lines) > 1:
        out += " " + lines[1]
    return " ".join(out.replace("\t", " ").split())


def row(path, tool, ok, err=""):
    print(f"{path}\t{tool}\t{'ok' if ok else 'rejected'}\t{'' if ok else err}")


def files(folder, exts):
    base = ROOT / folder
    if not base.is_dir():
        return []
    return sorted(p for p in base.rglob("*") if p.is_file() and p.suffix in exts)


def rel(p):
    return str(p.relative_to(ROOT))


def promtool(path):
    r = subprocess.run(["promtool", "check", "rules", str(path)], capture_output=True, text=True)
    return r.returncode == 0, r.stderr + r.stdout


# rules
for p in files("rules", {".yml", ".yaml"}):
    ok, out = promtool(rel(p))
    row(rel(p), "promtool", ok, first_error(out, [(rel(p) + ": ", "")]))


# PrometheusRule resources
def resources(docs):
    for d in docs:
        if isinstance(d, dict) and d.get("kind") == "List":
            yield from resources(d.get("items") or [])
        elif isinstance(d, dict) and d.get("kind") == "PrometheusRule":
            yield d


for p in files("prometheusrule", {".yml", ".yaml"}):
    try:
        found = list(resources(yaml.safe_load_all(p.read_text(encoding="utf-8"))))
    except yaml.YAMLError as e:
        row(rel(p), "promtool", False, first_error("yaml: " + str(e)))
        continue
    if not found:
        row(rel(p), "promtool", False, "no PrometheusRule resource found")
        continue
    verdict, err = True, ""
    for i, res in enumerate(found):
        with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as f:
            yaml.safe_dump(res.get("spec") or {}, f, sort_keys=False, allow_unicode=True)
            tmp = f.name
        ok, out = promtool(tmp)
        os.unlink(tmp)
        if not ok and verdict:
            verdict = False
            name = (res.get("metadata") or {}).get("name", "?")
            err = f"resource {i} ({name}): " + first_error(out, [(tmp + ": ", ""), (tmp, "<spec>")])
    row(rel(p), "promtool", verdict, err)


# AlertManager configurations
def secret_config(p):
    try:
        docs = list(yaml.safe_load_all(p.read_text(encoding="utf-8")))
    except yaml.YAMLError:
        return None
    for d in docs:
        if isinstance(d, dict) and d.get("kind") == "Secret":
            sd = d.get("stringData") or {}
            if "alertmanager.yaml" in sd:
                return sd["alertmanager.yaml"]
            data = d.get("data") or {}
            if "alertmanager.yaml" in data:
                return base64.b64decode(data["alertmanager.yaml"]).decode()
    return None


for p in files("alertmanager", {".yml", ".yaml"}):
    target, tmp = p.name, None
    cfg = secret_config(p)
    if cfg is not None:
        fd, tmp = tempfile.mkstemp(prefix=".unwrapped-", suffix=".yaml", dir=p.parent)
        with os.fdopen(fd, "w") as f:
            f.write(cfg)
        target = os.path.basename(tmp)
    r = subprocess.run(["amtool", "check-config", target], cwd=p.parent, capture_output=True, text=True)
    if tmp:
        os.unlink(tmp)
    repl = [(f"'{target}'", ""), (target, "<config>")]
    row(rel(p), "amtool", r.returncode == 0, first_error(r.stdout + r.stderr, repl))


# Grafana dashboards
def schema(path):
    r = subprocess.run([SCHEMA_CHECK, str(path)], capture_output=True, text=True)
    lines = [l for l in r.stdout.splitlines() if l.startswith(str(path) + ": ")]
    err = lines[0][len(str(path)) + 2:] if lines else (r.stderr.strip().splitlines() or [""])[-1]
    return r.returncode == 0, " ".join(err.split())


for p in files("dashboards", {".json"}):
    ok, err = schema(rel(p))
    row(rel(p), "schema", ok, err)

for p in files("dashboards", {".yml", ".yaml"}):
    try:
        docs = list(yaml.safe_load_all(p.read_text(encoding="utf-8")))
    except yaml.YAMLError as e:
        row(rel(p), "schema", False, "yaml: " + " ".join(str(e).split()))
        continue
    items = []
    for d in docs:
        if isinstance(d, dict) and d.get("kind") == "List":
            items += d.get("items") or []
        else:
            items.append(d)
    verdict, err, n = True, "", 0
    for d in items:
        if not (isinstance(d, dict) and d.get("kind") == "ConfigMap"):
            continue
        for key, value in sorted((d.get("data") or {}).items()):
            if not key.endswith(".json"):
                continue
            n += 1
            with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
                f.write(value)
                tmp = f.name
            ok, e = schema(tmp)
            os.unlink(tmp)
            if not ok and verdict:
                verdict, err = False, f"{key}: {e}"
    row(rel(p), "schema", verdict and n > 0, err if n else "no dashboard JSON in a ConfigMap found")
PY
