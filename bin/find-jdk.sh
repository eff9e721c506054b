# Sourced by ./mvnw and ./eventline (POSIX sh). Points JAVA_HOME at a JDK 21 or newer,
# whatever the default `java` is, because the project targets Java 21 and the machine's
# default may be older. Order: $JAVA_HOME, `java` on PATH, then the usual install folders
# (or EVENTLINE_JDK_DIRS), taking the newest. With none found it prints one line saying what to install and fails.

eventline_jdk_major() {
  # Reads the JDK's `release` file (cheap); falls back to asking the binary.
  _home=$1
  [ -x "$_home/bin/java" ] && [ -x "$_home/bin/javac" ] || { echo 0; return; }
  _v=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$_home/release" 2>/dev/null)
  [ -n "$_v" ] || _v=$("$_home/bin/java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)
  case "$_v" in
    1.*) echo "$_v" | cut -d. -f2 ;;
    "") echo 0 ;;
    *) echo "$_v" | cut -d. -f1 | tr -cd '0-9' ;;
  esac
}

eventline_find_jdk() {
  _min=21
  if [ -n "${JAVA_HOME-}" ] && [ "$(eventline_jdk_major "$JAVA_HOME")" -ge "$_min" ] 2>/dev/null; then
    return 0
  fi
  _best=""; _bestv=0
  # Callers may run with `set -f` (mvnw does); the search below needs globbing.
  case $- in *f*) _noglob=1; set +f ;; *) _noglob=0 ;; esac
  _onpath=$(command -v javac 2>/dev/null || true)
  if [ -n "$_onpath" ]; then
    _onpath=$(dirname "$(dirname "$(readlink -f "$_onpath")")")
  fi
  # EVENTLINE_JDK_DIRS (space-separated) replaces the usual install folders.
  _dirs=${EVENTLINE_JDK_DIRS:-"/usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* ${HOME:-/root}/.sdkman/candidates/java/* /Library/Java/JavaVirtualMachines/*/Contents/Home"}
  for _cand in "$_onpath" $_dirs; do
    [ -n "$_cand" ] && [ -d "$_cand" ] || continue
    _v=$(eventline_jdk_major "$_cand")
    if [ "$_v" -ge "$_min" ] 2>/dev/null && [ "$_v" -gt "$_bestv" ]; then
      _best=$_cand; _bestv=$_v
    fi
  done
  [ "$_noglob" = 1 ] && set -f
  if [ -z "$_best" ]; then
    echo "eventline: no JDK 21 or newer found (looked at JAVA_HOME, PATH and /usr/lib/jvm); install one, e.g. 'apt-get install openjdk-21-jdk-headless' or Temurin 21+, or set JAVA_HOME to it." >&2
    return 1
  fi
  JAVA_HOME=$(readlink -f "$_best")
  export JAVA_HOME
}
