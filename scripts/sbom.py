#!/usr/bin/env python3
"""CycloneDX 1.5 SBOM of one service image, written by scripts/images.sh.

What is listed is what the image holds, read from the image's own inputs:
  - the Debian packages of the root filesystem, from its dpkg status (removed packages are gone
    from it, so the shells purged by images.sh do not appear);
  - the Maven artifacts of the Quarkus fast-jar, from quarkus-app-dependencies.txt (exactly the
    jars in lib/, unlike the Maven graph), each with the SHA-256 of the jar file in the image;
  - the application jar and, for biometric-svc, the face model files with their SHA-256.
"""
import argparse
import hashlib
import json
import sys
import tarfile
import uuid
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def dpkg_packages(rootfs_tar):
    with tarfile.open(rootfs_tar) as t:
        member = next(m for m in t.getmembers() if m.name.lstrip("./") == "var/lib/dpkg/status")
        text = t.extractfile(member).read().decode("utf-8")
    for stanza in text.strip().split("\n\n"):
        fields = {}
        key = None
        for line in stanza.splitlines():
            if line[:1] in (" ", "\t") and key:
                continue
            key, _, value = line.partition(":")
            fields[key] = value.strip()
        if not fields.get("Status", "").endswith(" installed"):
            continue
        name, version, arch = fields["Package"], fields["Version"], fields.get("Architecture", "all")
        yield {
            "type": "library" if not name.startswith("openjdk") else "framework",
            "bom-ref": f"pkg:deb/debian/{name}@{version}?arch={arch}",
            "name": name,
            "version": version,
            "purl": f"pkg:deb/debian/{quote(name)}@{quote(version)}?arch={arch}&distro=debian-12",
            "properties": [{"name": "sentinel:source", "value": "dpkg status of the root filesystem"}],
        }


def maven_artifacts(app):
    lib = Path(app, "lib")
    jars = {p.name: p for p in lib.rglob("*.jar")}
    for line in Path(app, "quarkus-app-dependencies.txt").read_text().splitlines():
        if not line.strip():
            continue
        group, artifact, classifier, typ, version = line.split(":")
        purl = f"pkg:maven/{group}/{artifact}@{version}?type={typ}" + (f"&classifier={classifier}" if classifier else "")
        component = {
            "type": "library",
            "bom-ref": purl,
            "group": group,
            "name": artifact,
            "version": version,
            "purl": purl,
        }
        file = f"{group}.{artifact}-{version}" + (f"-{classifier}" if classifier else "") + f".{typ}"
        if file in jars:
            component["hashes"] = [{"alg": "SHA-256", "content": sha256(jars[file])}]
        yield component


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--service", required=True)
    a.add_argument("--image", required=True)
    a.add_argument("--digest", required=True)
    a.add_argument("--rootfs", required=True)
    a.add_argument("--app", required=True)
    a.add_argument("--models")
    args = a.parse_args()

    components = list(dpkg_packages(args.rootfs)) + list(maven_artifacts(args.app))
    for jar in sorted(Path(args.app, "app").glob("*.jar")):
        components.append({"type": "application", "bom-ref": f"file:app/{jar.name}", "name": jar.name,
                           "hashes": [{"alg": "SHA-256", "content": sha256(jar)}]})
    if args.models:
        for model in sorted(Path(args.models).glob("*.onnx")):
            components.append({
                "type": "machine-learning-model",
                "bom-ref": f"file:face-models/{model.name}",
                "name": model.name,
                "hashes": [{"alg": "SHA-256", "content": sha256(model)}],
                "externalReferences": [{"type": "distribution",
                                        "url": "https://registry.npmjs.org/faceplugin-face-recognition-js/-/faceplugin-face-recognition-js-0.0.1.tgz"}],
            })
    repository, _, tag = args.image.rpartition(":")
    bom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "serialNumber": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, args.image + '@' + args.digest)}",
        "version": 1,
        "metadata": {
            "timestamp": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "tools": {"components": [{"type": "application", "name": "scripts/sbom.py (Sentinel)"}]},
            "component": {
                "type": "container",
                "bom-ref": f"{repository}@{args.digest}",
                "name": repository,
                "version": tag,
                "hashes": [{"alg": "SHA-256", "content": args.digest.removeprefix("sha256:")}],
                "purl": f"pkg:oci/{repository.rsplit('/', 1)[-1]}@{quote(args.digest)}?repository_url={quote(repository)}&tag={quote(tag)}",
            },
        },
        "components": components,
    }
    json.dump(bom, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
