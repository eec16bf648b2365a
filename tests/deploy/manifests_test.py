#!/usr/bin/env python3
"""Checks deploy/compose.yaml and deploy/kubernetes/*.yaml with a YAML parser (python3-yaml):
they parse, carry the fields an orchestrator needs, probe /livez and /readyz, run as the
Containerfile's numeric non-root user, and use the port it EXPOSEs.
Usage: manifests_test.py DEPLOY_DIR   (exit 0 when every check holds, 1 with the reasons)"""
import pathlib
import re
import sys

import yaml

deploy = pathlib.Path(sys.argv[1])
problems = []


def need(condition, what):
    if not condition:
        problems.append(what)
    return condition


containerfile = (deploy / "Containerfile").read_text()
runtime = containerfile[containerfile.rindex("\nFROM "):]
user = re.search(r"^USER (\d+):(\d+)$", runtime, re.M)
port = re.search(r"^EXPOSE (\d+)$", runtime, re.M)
need(user, "Containerfile: runtime stage needs USER uid:gid with numbers")
need(port, "Containerfile: runtime stage needs EXPOSE <port>")
need(re.search(r"^HEALTHCHECK .*?/livez", runtime, re.M | re.S), "Containerfile: HEALTHCHECK on /livez")
need(re.search(r"^VOLUME ", runtime, re.M), "Containerfile: a VOLUME for state")
uid = int(user.group(1)) if user else None
ops_port = int(port.group(1)) if port else None
need(uid != 0, "Containerfile: the user must not be root")

# ---- Kubernetes
documents = []
for path in sorted((deploy / "kubernetes").glob("*.yaml")):
    try:
        for doc in yaml.safe_load_all(path.read_text()):
            if doc is not None:
                documents.append((path.name, doc))
    except yaml.YAMLError as e:
        problems.append(f"{path.name}: does not parse: {e}")

kinds = {}
for name, doc in documents:
    for field in ("apiVersion", "kind", "metadata"):
        need(field in doc, f"{name}: missing {field}")
    need("name" in doc.get("metadata", {}), f"{name}: metadata.name missing")
    kinds.setdefault(doc.get("kind"), []).append((name, doc))

workloads = kinds.get("Deployment", []) + kinds.get("StatefulSet", [])
need(len(workloads) >= 2, "kubernetes: a Deployment or StatefulSet per shard group (at least two)")
need(kinds.get("Secret"), "kubernetes: a Secret example for the tokens")
need(kinds.get("Service"), "kubernetes: a Service for /metrics")
for name, w in workloads:
    spec = w["spec"]
    need(spec.get("replicas") == 1, f"{name}: one replica per shard group")
    labels = spec["template"]["metadata"]["labels"]
    need(all(labels.get(k) == v for k, v in spec["selector"]["matchLabels"].items()),
         f"{name}: selector does not match the pod labels")
    pod = spec["template"]["spec"]
    sc = pod.get("securityContext", {})
    need(sc.get("runAsNonRoot") is True, f"{name}: securityContext.runAsNonRoot: true")
    need(sc.get("runAsUser") == uid, f"{name}: runAsUser {sc.get('runAsUser')} is not the Containerfile's {uid}")
    for c in pod["containers"]:
        need(c.get("image", "").split("/")[-1].startswith("nudgebot"), f"{name}: image is not nudgebot")
        ports = {p.get("name"): p.get("containerPort") for p in c.get("ports", [])}
        need(ops_port in ports.values(), f"{name}: containerPort {ops_port} (EXPOSE) missing")
        for probe, path in (("livenessProbe", "/livez"), ("readinessProbe", "/readyz")):
            get = c.get(probe, {}).get("httpGet", {})
            need(get.get("path") == path, f"{name}: {probe} must GET {path}")
            p = get.get("port")
            need(p == ops_port or ports.get(p) == ops_port, f"{name}: {probe} port is not {ops_port}")
        res = c.get("resources", {})
        need("memory" in res.get("limits", {}) and "cpu" in res.get("limits", {}), f"{name}: resource limits")
        csc = c.get("securityContext", {})
        need(csc.get("allowPrivilegeEscalation") is False, f"{name}: allowPrivilegeEscalation: false")
        need("ALL" in csc.get("capabilities", {}).get("drop", []), f"{name}: drop ALL capabilities")
        need(any(e.get("secretRef") for e in c.get("envFrom", [])) or
             any(e.get("valueFrom", {}).get("secretKeyRef") for e in c.get("env", [])),
             f"{name}: tokens from a Secret")
for name, s in kinds.get("Service", []):
    ann = s["metadata"].get("annotations", {})
    need(ann.get("prometheus.io/scrape") == "true", f"{name}: prometheus.io/scrape annotation")
    need(str(ann.get("prometheus.io/port")) == str(ops_port), f"{name}: prometheus.io/port is not {ops_port}")
    need(ann.get("prometheus.io/path") == "/metrics", f"{name}: prometheus.io/path /metrics")
    need(any(p.get("port") == ops_port for p in s["spec"].get("ports", [])), f"{name}: port {ops_port}")

# ---- Compose
try:
    compose = yaml.safe_load((deploy / "compose.yaml").read_text())
except yaml.YAMLError as e:
    compose = None
    problems.append(f"compose.yaml: does not parse: {e}")
if compose:
    services = compose.get("services", {})
    need(any("postgres" in (s.get("image") or "") for s in services.values()), "compose: a PostgreSQL service")
    bots = {n: s for n, s in services.items() if "nudgebot" in (s.get("image") or "")}
    need(bots, "compose: a nudgebot service")
    for n, s in bots.items():
        need(str(s.get("user", "")).split(":")[0] == str(uid), f"compose {n}: user is not {uid}")
        need(any(str(p).endswith(f":{ops_port}") for p in s.get("ports", [])), f"compose {n}: publishes {ops_port}")
        env = s.get("environment", {})
        need("${DISCORD_TOKEN" in str(env.get("DISCORD_TOKEN", "")), f"compose {n}: token from the env file")
        for c in s.get("configs", []):
            text = compose["configs"][c["source"]]["content"]
            need("postgresql://" in text, f"compose {n}: shares PostgreSQL")
            need(f":{ops_port}" in text, f"compose {n}: ops.listen on {ops_port}")

for p in problems:
    print("FAIL:", p)
if not problems:
    print(f"ok: {len(documents)} Kubernetes documents and compose.yaml agree with the Containerfile "
          f"(user {uid}, port {ops_port})")
sys.exit(1 if problems else 0)
