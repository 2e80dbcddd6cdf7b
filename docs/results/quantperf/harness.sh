#!/bin/bash
# usage: harness.sh WT dataset queries efs rounds variants...
wt=$1; shift
cp="$wt/quiver-cli/target/quiver-cli.jar:$wt/quiver-bench/target/quiver-bench.jar"
mkdir -p /tmp/quantperf-hc-$(basename $wt)
/usr/lib/jvm/temurin-25-jdk-amd64/bin/javac -d /tmp/quantperf-hc-$(basename $wt) -cp "$cp" "$(dirname "$0")"/Harness.java 2>&1 | grep -v warning
exec /usr/lib/jvm/temurin-25-jdk-amd64/bin/java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseTransparentHugePages $HOPTS -cp "/tmp/quantperf-hc-$(basename $wt):$cp" io.quiver.cli.bench.Harness "$@" 2>&1 | grep -v "INFO\|WARNING"
