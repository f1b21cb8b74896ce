#!/usr/bin/env bash
# Starts a 3-node etcd cluster with the launcher (--binary etcd) and checks that raftkv-ctl prints what etcdctl prints
# for the same commands. A developer check, not part of `npm test` (needs etcd and etcdctl on PATH and a build).
set -uo pipefail
cd "$(dirname "$0")/../.."
BASE=${BASE_PORT:-24379}
DIR=$(mktemp -d)
node scripts/dist/cluster.js start --binary etcd --base-port "$BASE" --dir "$DIR" >"$DIR/launcher.out" 2>&1 &
LAUNCHER=$!
cleanup() { kill -INT "$LAUNCHER" 2>/dev/null; wait "$LAUNCHER"; rm -rf "$DIR"; }
trap cleanup EXIT
for _ in $(seq 1 150); do grep -q 'cluster ready' "$DIR/launcher.out" && break; sleep 0.2; done
grep -q 'cluster ready' "$DIR/launcher.out" || { cat "$DIR/launcher.out"; exit 1; }

EPS="http://127.0.0.1:$BASE,http://127.0.0.1:$((BASE + 2)),http://127.0.0.1:$((BASE + 4))"
ETCDCTL=(env ETCDCTL_API=3 etcdctl --endpoints "$EPS")
CTL=(node packages/kv-server/bin/raftkv-ctl.js --endpoints "$EPS")
failures=0
same() { # same <stdin> <args…>: both tools, same output and exit status
  local input=$1; shift
  local a b ca cb
  a=$(printf '%b' "$input" | "${ETCDCTL[@]}" "$@" 2>&1); ca=$?
  b=$(printf '%b' "$input" | "${CTL[@]}" "$@" 2>&1); cb=$?
  if [[ "$a" == "$b" && $ca -eq 0 && $cb -eq 0 ]] || [[ $ca -ne 0 && $cb -ne 0 && "${a##*Error: }" == "${b##*Error: }" ]]; then echo "same: $*"
  else echo "DIFFERENT: $*"; echo "  etcdctl ($ca): $a"; echo "  raftkv-ctl ($cb): $b"; failures=$((failures + 1)); fi
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
same '' get --prefix '' --limit 1
same '' get --prefix '' --sort-by=VALUE --order=DESCEND
same '' get a --rev 100000
same '' del nothing
same 'value("a") = "1"\nversion("zz") = "0"\n\nput a 1\nget a\n\nget b\n\n' txn
same 'value("a") = "9"\n\nput a 1\n\nget b\nget --prefix a\n\n' txn
same '' member list
# A delete changes state: each tool first puts what it then deletes.
a=$("${ETCDCTL[@]}" put x 1 >/dev/null && "${ETCDCTL[@]}" del x --prev-kv 2>&1)
b=$("${CTL[@]}" put x 1 >/dev/null && "${CTL[@]}" del x --prev-kv 2>&1)
if [[ "$a" == "$b" ]]; then echo "same: del x --prev-kv"; else echo "DIFFERENT: del x --prev-kv: $a vs $b"; failures=$((failures + 1)); fi
echo "$failures difference(s)"
exit $((failures > 0))
