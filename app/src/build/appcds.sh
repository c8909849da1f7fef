#!/bin/sh
# Builds dist/lockstep.jsa, an AppCDS archive of the classes that start-up loads, for dist/lockstep
# (run by `mvn package` right after the jar is shaded). Training: --version, --help, validate of the
# example runbooks and `watch --once` against an address where nothing listens (it loads the CLI, YAML,
# JDBC and probe classes without needing a server); their class lists are merged and dumped as one static
# archive with the launcher's own JVM options. The launcher uses the archive only when it is newer than
# the jar, and the JVM itself ignores it (silently) when the jar or the JDK differ. Never fails the build:
# without an archive the launcher starts as before.
# Usage: appcds.sh DIST_DIR RUNBOOKS_DIR
dist=$1
runbooks=$2
jar=$dist/lockstep.jar
archive=$dist/lockstep.jsa
opts="-XX:+UseSerialGC -XX:TieredStopAtLevel=1"
java=java
if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then java=$JAVA_HOME/bin/java; fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lockstep-appcds.XXXXXX") || exit 0
trap 'rm -rf "$tmp"' EXIT
rm -f "$archive"
# shellcheck disable=SC2086
{
    "$java" $opts -XX:DumpLoadedClassList="$tmp/1.lst" -jar "$jar" --version
    "$java" $opts -XX:DumpLoadedClassList="$tmp/2.lst" -jar "$jar" --help
    "$java" $opts -XX:DumpLoadedClassList="$tmp/3.lst" -jar "$jar" validate "$runbooks"/*.yaml
    "$java" $opts -XX:DumpLoadedClassList="$tmp/4.lst" -jar "$jar" watch --once --json \
        --db "postgresql://nobody@127.0.0.1:1/none?connect_timeout=1"
} >/dev/null 2>&1
cat "$tmp"/*.lst 2>/dev/null | sort -u >"$tmp/classes.lst"
# shellcheck disable=SC2086
if [ -s "$tmp/classes.lst" ] && "$java" $opts -Xshare:dump -XX:SharedClassListFile="$tmp/classes.lst" \
    -XX:SharedArchiveFile="$tmp/lockstep.jsa" -cp "$jar" >"$tmp/dump.log" 2>&1; then
    mv "$tmp/lockstep.jsa" "$archive"
else
    echo "appcds: no archive built (dist/lockstep starts without it):" >&2
    tail -3 "$tmp/dump.log" >&2 2>/dev/null
fi
exit 0
