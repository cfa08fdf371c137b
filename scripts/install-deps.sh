#!/usr/bin/env bash
# Installs, with apt-get, the Debian 12 packages driad needs and that are
# missing. Usage: install-deps.sh [build|test|demo|bench]...  (default: build)
# Nothing is downloaded from anywhere but Debian's archive.
set -euo pipefail

build=(g++ make cmake pkg-config libldns-dev libboost-dev nlohmann-json3-dev libspdlog-dev libfmt-dev
       libcli11-dev libexpected-dev protobuf-compiler protobuf-compiler-grpc libprotobuf-dev libgrpc++-dev
       libcurl4-openssl-dev libssl-dev ccache)
test=(libgtest-dev python3 bind9-dnsutils knot-dnsutils ldnsutils clang-format openssl python3-grpcio
      python3-grpc-tools)
demo=(bind9-dnsutils knot-dnsutils python3 curl)
bench=(dnsperf nsd knot python3 libbenchmark-dev)

wanted=("${build[@]}")
for set in "$@"; do
  case "$set" in
    build) ;;
    test) wanted+=("${test[@]}") ;;
    demo) wanted+=("${demo[@]}") ;;
    bench) wanted+=("${bench[@]}") ;;
    *) echo "install-deps.sh: unknown set '$set' (build, test, demo, bench)" >&2; exit 2 ;;
  esac
done

missing=()
for package in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
  [[ "$status" == installed ]] || missing+=("$package")
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#wanted[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: run as root (or install them yourself): apt-get install ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# NSD and Knot are only run by hand by the benchmark: keep their services from
# starting on port 53 during the install.
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get install -y -q --no-install-recommends "${missing[@]}"
