# Sourced by scripts/test.sh (and by hand: `source scripts/start-test-postgres.sh` in a bash shell).
# A throwaway PostgreSQL cluster for the shared-crawl-store tests (PostgresStoreTests): a temp
# folder, trust auth, loopback only, no fsync; stopped and deleted when this script exits. The
# server refuses to run as root, so under root it runs as the `postgres` user Debian's package
# creates (else `nobody`). The tests fail, not skip, when NNETNAV_REQUIRE_POSTGRES=1 and no URL.
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$pg_bin" ]; then
    echo "error: PostgreSQL server binaries not found under /usr/lib/postgresql (scripts/prerequisites.sh installs postgresql)" >&2
    exit 1
fi
pg_dir=$(mktemp -d /tmp/nnetnav-pg.XXXXXX)
pg_as=()
if [ "$(id -u)" -eq 0 ]; then
    pg_user=postgres
    id -u "$pg_user" >/dev/null 2>&1 || pg_user=nobody
    chown "$pg_user" "$pg_dir"
    pg_as=(runuser -u "$pg_user" --)
fi
pg_stop() {
    "${pg_as[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
}
trap pg_stop EXIT
pg_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${pg_as[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -A trust -U nnetnav --no-sync >"$pg_dir/initdb.log" 2>&1 \
    || { cat "$pg_dir/initdb.log" >&2; exit 1; }
"${pg_as[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -s \
    -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $pg_dir -c fsync=off -c max_connections=200" start \
    || { cat "$pg_dir/server.log" >&2; exit 1; }
"${pg_as[@]}" "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U nnetnav nnetnav_test
export NNETNAV_TEST_POSTGRES_URL="postgres://nnetnav@127.0.0.1:$pg_port/nnetnav_test"
export NNETNAV_REQUIRE_POSTGRES=1
echo "==> PostgreSQL for the tests: $NNETNAV_TEST_POSTGRES_URL"
