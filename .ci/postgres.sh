#!/usr/bin/env bash
# PostgreSQL + PostGIS for the store tests (tests/test_postgis.py), on Debian, as root.
#
# Installs Debian's postgresql and postgresql-postgis when missing, starts the cluster,
# creates the login role and the test database (owned by that role, PostGIS created in
# it by the superuser, because PostGIS is not a trusted extension), then prints ONE line
# on stdout for the caller to evaluate:
#
#     eval "$(bash .ci/postgres.sh)"    # sets HOTSPOTS_TEST_PG_URL
#
# Everything else goes to stderr. Running it again changes nothing (idempotent).
# Override with HOTSPOTS_PG_ROLE, HOTSPOTS_PG_PASSWORD, HOTSPOTS_PG_DATABASE.
set -euo pipefail

ROLE="${HOTSPOTS_PG_ROLE:-hotspots}"
PASSWORD="${HOTSPOTS_PG_PASSWORD:-hotspots-local-test}"
DATABASE="${HOTSPOTS_PG_DATABASE:-hotspots_test}"
export DEBIAN_FRONTEND=noninteractive

say() { echo "postgres.sh: $*" >&2; }

for name in ROLE DATABASE; do
    if ! [[ "${!name}" =~ ^[a-z_][a-z0-9_]*$ ]]; then
        say "HOTSPOTS_PG_${name} must be a lower-case SQL name (letters, digits, _), got '${!name}'"
        exit 2
    fi
done
if [[ "$PASSWORD" == *"'"* || "$PASSWORD" =~ [^A-Za-z0-9._~-] ]]; then
    say "HOTSPOTS_PG_PASSWORD may hold only letters, digits and . _ ~ - (it goes into a URL)"
    exit 2
fi

if [ "$(id -u)" = 0 ]; then
    AS_ROOT=()
elif command -v sudo >/dev/null 2>&1; then
    AS_ROOT=(sudo)
else
    say "needs root (or sudo) to install and start PostgreSQL"
    exit 1
fi

have_postgis() {
    compgen -G "/usr/share/postgresql/*/extension/postgis.control" >/dev/null
}

if ! command -v pg_lsclusters >/dev/null 2>&1 || ! have_postgis; then
    say "installing postgresql and postgresql-postgis from Debian"
    "${AS_ROOT[@]}" apt-get update -qq >&2
    "${AS_ROOT[@]}" apt-get install -y -qq --no-install-recommends postgresql postgresql-postgis >&2
fi

# The newest installed server version, and its cluster (Debian creates "main" on install).
VERSION="$(ls /usr/lib/postgresql | sort -n | tail -n 1)"
if ! pg_lsclusters --no-header | awk -v v="$VERSION" '$1 == v && $2 == "main"' | grep -q .; then
    say "creating cluster $VERSION/main"
    "${AS_ROOT[@]}" pg_createcluster "$VERSION" main >&2
fi
PORT="$(pg_lsclusters --no-header | awk -v v="$VERSION" '$1 == v && $2 == "main" {print $3}')"
if ! pg_lsclusters --no-header | awk -v v="$VERSION" '$1 == v && $2 == "main" {print $4}' | grep -q online; then
    say "starting cluster $VERSION/main on port $PORT"
    "${AS_ROOT[@]}" pg_ctlcluster "$VERSION" main start >&2
fi
for _ in $(seq 1 60); do
    if pg_isready -q -h 127.0.0.1 -p "$PORT"; then
        break
    fi
    sleep 0.5
done
if ! pg_isready -q -h 127.0.0.1 -p "$PORT"; then
    say "PostgreSQL $VERSION did not accept connections on 127.0.0.1:$PORT; see /var/log/postgresql/"
    exit 1
fi

psql_super() {
    "${AS_ROOT[@]}" runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$PORT" "$@" >&2
}

# Role: login, may create databases (the tests make a scratch one), not a superuser.
psql_super -d postgres <<SQL
DO \$\$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$ROLE') THEN
        CREATE ROLE $ROLE LOGIN CREATEDB;
    END IF;
END
\$\$;
ALTER ROLE $ROLE WITH LOGIN CREATEDB NOSUPERUSER PASSWORD '$PASSWORD';
SQL
if ! "${AS_ROOT[@]}" runuser -u postgres -- psql -X -tA -p "$PORT" -d postgres \
    -c "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'" | grep -q 1; then
    say "creating database $DATABASE owned by $ROLE"
    psql_super -d postgres -c "CREATE DATABASE $DATABASE OWNER $ROLE"
fi
psql_super -d "$DATABASE" -c "SET client_min_messages = warning; CREATE EXTENSION IF NOT EXISTS postgis"

echo "export HOTSPOTS_TEST_PG_URL=postgresql://$ROLE:$PASSWORD@127.0.0.1:$PORT/$DATABASE"
