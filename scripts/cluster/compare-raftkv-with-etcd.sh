#!/usr/bin/env bash
# Starts a 3-node etcd cluster and a 3-node raftkv cluster with the launcher, runs the same raftkv-ctl commands against
# both and reports where the outputs differ. A developer check, not part of `npm test` (needs etcd on PATH and a build).
set -uo pipefail
cd "$(dirname "$0")/../.."
BASE=${BASE_PORT:-24379}
DIR=$(mktemp -d)
node scripts/dist/cluster.js start --binary etcd --base-port "$BASE" --dir "$DIR/etcd" >"$DIR/etcd.out" 2>&1 &
ETCD_LAUNCHER=$!
node scripts/dist/cluster.js start --base-port $((BASE + 100)) --dir "$DIR/raftkv" >"$DIR/raftkv.out" 2>&1 &
RAFTKV_LAUNCHER=$!
cleanup() { kill -INT "$ETCD_LAUNCHER" "$RAFTKV_LAUNCHER" 2>/dev/null; wait "$ETCD_LAUNCHER" "$RAFTKV_LAUNCHER"; rm -rf "$DIR"; }
trap cleanup EXIT
for out in "$DIR/etcd.out" "$DIR/raftkv.out"; do
  for _ in $(seq 1 300); do grep -q 'cluster ready' "$out" && break; sleep 0.2; done
  grep -q 'cluster ready' "$out" || { cat "$out"; exit 1; }
done

eps() { echo "http://127.0.0.1:$1,http://127.0.0.1:$(($1 + 2)),http://127.0.0.1:$(($1 + 4))"; }
ETCD=(node packages/kv-server/bin/raftkv-ctl.js --endpoints "$(eps "$BASE")")
RAFTKV=(node packages/kv-server/bin/raftkv-ctl.js --endpoints "$(eps $((BASE + 100)))")
failures=0
same() { # same <stdin> <args…>: same output and exit status from both clusters
  local input=$1; shift
  local a b ca cb
  a=$(printf '%b' "$input" | "${ETCD[@]}" "$@" 2>&1); ca=$?
  b=$(printf '%b' "$input" | "${RAFTKV[@]}" "$@" 2>&1); cb=$?
  if [[ "$a" == "$b" && $ca -eq $cb ]]; then echo "same: $*"
  else echo "DIFFERENT: $*"; echo "  etcd ($ca): $a"; echo "  raftkv ($cb): $b"; failures=$((failures + 1)); fi
}
same '' put a 1
same '' put b 2
same '' put a 1 --prev-kv
same 'from stdin\n' put c
same '' get a
same '' get --prefix ''
same '' get a c
same '' get --from-key b
same '' get --prefix '' --keys-only
same '' get --prefix '' --count-only
same '' get --prefix '' --limit 1
same '' get --prefix '' --sort-by=VALUE --order=DESCEND
same '' get --prefix '' --sort-by=MODIFY --order=DESCEND
same '' get a --rev 100000
same '' get a --rev 1
same '' del nothing
same 'value("a") = "1"\nversion("zz") = "0"\n\nput a 1\nget a\n\nget b\n\n' txn
same 'value("a") = "9"\n\nput a 1\n\nget b\nget --prefix a\n\n' txn
same 'mod("a") > "0"\ncreate("b") < "100"\n\ndel --prefix c --prev-kv\n\n\n' txn
same 'value("a") = "1"\n\nput a 1\nput a 2\n\n\n' txn
same '' put x 1
same '' del x --prev-kv
same '' compaction 3
same '' get a --rev 2
same '' compaction 100000
same '' put '' v
echo "$failures difference(s)"
exit $((failures > 0))
