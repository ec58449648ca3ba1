import { randomBytes } from 'node:crypto';
import { bytesToName, nameToBytes } from './procfsUri';

/*
 * Every filesystem operation is one POSIX sh script, run by exec in the inspecting container as
 * `sh -c SCRIPT sh ROOT NONCE OP ARG…`: names travel only as arguments, never as shell text, and
 * the script only ever expands them inside double quotes. The script first changes into ROOT
 * (`/proc/<pid>/root`) and from then on uses paths relative to it, each starting with `./`, so a
 * name with a leading `-` is never an option.
 *
 * Symbolic links are resolved by `resolve`, inside the root, by the script itself: the kernel
 * would resolve an absolute target under `/proc/<pid>/root` against the *reader's* root. A
 * component is looked at with `[ -L ]` (a shell builtin, no fork); only a link costs a readlink.
 * `..` is applied to a path already checked to hold no link, so it is exact, and it stops at the
 * root. Forty links in one lookup are a loop (Linux's limit is the same).
 *
 * Output records start with a random nonce (`NONCE kind …`), which no file name can know, so a
 * name holding newlines cannot forge one. A refused operation is a `NONCE err CODE` record with
 * exit status 0; a failing tool exits non-zero with its own message on stderr, which says why in
 * the same words on busybox and GNU (strerror).
 */
const SCRIPT = `N=$2
say() { printf '%s %s\\n' "$N" "$*"; }
fail() { say err "$@"; exit 0; }
need() { for t; do command -v "$t" >/dev/null 2>&1 || fail ETOOL "$t"; done; }
dec() {
  case $1 in
    r*) P=\${1#r} ;;
    *) P=$(printf "\${1#o}x") && P=\${P%x} ;;
  esac
}
resolve() {
  rest=$1 R= hops=0
  while [ -n "$rest" ]; do
    c=\${rest%%/*}
    case $rest in */*) rest=\${rest#*/} ;; *) rest= ;; esac
    case $c in
      '' | .) continue ;;
      ..) R=\${R%/*}; continue ;;
    esac
    if [ -L ".$R/$c" ] && { [ -n "$rest" ] || [ "$2" = 1 ]; }; then
      hops=$((hops + 1))
      [ "$hops" -le 40 ] || return 1
      t=$(readlink ".$R/$c" && echo x) || return 1
      t=\${t%?x}
      case $t in /*) R= ;; esac
      rest=$t/$rest
    else
      R=$R/$c
    fi
  done
  R=.$R
}
parent_exists() {
  [ -d "\${1%/*}" ] || { [ -e "\${1%/*}" ] && fail ENOTDIR; fail ENOENT; }
}
gone() {
  [ -d "\${1%/root}" ] || return 0
  # A process that exited but is not reaped yet (a zombie) keeps /proc/PID, but has no root.
  read -r s 2>/dev/null <"\${1%/root}/stat" || return 1
  s=\${s##*)}
  case $s in ' Z'* | ' X'*) return 0 ;; esac
  return 1
}
cd "$1" 2>/dev/null || { gone "$1" && fail ESRCH; fail EPTRACE; }
need readlink
op=$3
shift 3
case $op in
stat)
  need stat
  dec "$1"; resolve "$P" 0 || fail ELOOP
  L=$R link=0
  if [ -L "$L" ]; then
    link=1
    resolve "$P" 1 && [ -e "$R" ] || R=$L link=dangling
  fi
  [ -w "$R" ] && w=1 || w=0
  printf '%s stat %s %s ' "$N" "$link" "$w"
  exec stat -c '%f %s %Y' "$R"
  ;;
list)
  need find stat
  dec "$1"; resolve "$P" 1 || fail ELOOP
  D=$R
  [ -d "$D" ] || { [ -e "$D" ] && fail ENOTDIR; fail ENOENT; }
  [ -x "$D" ] && [ -r "$D" ] || fail EACCES
  say list
  (cd "$D" && exec find . -mindepth 1 -maxdepth 1 -exec stat -c "$N %f %s %Y %n" {} +)
  for e in "$D"/* "$D"/.*; do
    [ -L "$e" ] || continue
    if resolve "$e" 1; then
      if [ -d "$R" ]; then k=d; elif [ -e "$R" ]; then k=f; else k=-; fi
    else
      k=-
    fi
    printf '%s link %s %s\\n' "$N" "$k" "./\${e##*/}"
  done
  say end
  ;;
read)
  need stat cat
  dec "$1"; resolve "$P" 1 || fail ELOOP
  [ -d "$R" ] && fail EISDIR
  size=$(stat -c %s "$R") || exit 1
  say size "$size"
  exec cat "$R"
  ;;
stage)
  need stat head chmod chown rm
  dec "$1"; resolve "$P" 1 || fail ELOOP
  F=$R
  if [ -e "$F" ]; then
    [ "$2" = 1 ] || fail EEXIST
    [ -d "$F" ] && fail EISDIR
    [ -w "$F" ] || fail EACCES
  else
    [ "$3" = 1 ] || fail ENOENT
    parent_exists "$F"
  fi
  T=\${F%/*}/.ppe-$N.tmp
  head -c "$4" >"$T" || { rm -f "$T"; exit 1; }
  [ "$(stat -c %s "$T")" = "$4" ] || { rm -f "$T"; fail ESHORT; }
  if [ -e "$F" ]; then
    chmod "$(stat -c %a "$F")" "$T" 2>/dev/null
    chown "$(stat -c %u:%g "$F")" "$T" 2>/dev/null
  fi
  say staged
  ;;
commit | discard)
  need mv rm
  dec "$1"; resolve "$P" 1 || fail ELOOP
  T=\${R%/*}/.ppe-$2.tmp
  if [ "$op" = commit ]; then mv -f "$T" "$R" || exit 1; else rm -f "$T"; fi
  say done
  ;;
delete)
  need rm rmdir
  dec "$1"; resolve "$P" 0 || fail ELOOP
  [ "$R" = . ] && fail EACCES
  [ -e "$R" ] || [ -L "$R" ] || fail ENOENT
  if [ -d "$R" ] && [ ! -L "$R" ]; then
    if [ "$2" = 1 ]; then rm -rf "$R" || exit 1; else rmdir "$R" || exit 1; fi
  else
    rm -f "$R" || exit 1
  fi
  say done
  ;;
rename | copy)
  need mv rm cp
  dec "$1"; resolve "$P" 0 || fail ELOOP
  A=$R
  dec "$2"; resolve "$P" 0 || fail ELOOP
  B=$R
  [ -e "$A" ] || [ -L "$A" ] || fail ENOENT
  parent_exists "$B"
  if [ "$A" != "$B" ] && { [ -e "$B" ] || [ -L "$B" ]; }; then
    [ "$3" = 1 ] || fail EEXIST
    rm -rf "$B" || exit 1
  fi
  if [ "$op" = rename ]; then mv -f "$A" "$B" || exit 1; else cp -a "$A" "$B" || exit 1; fi
  say done
  ;;
files | grep)
  need find head
  [ "$op" = grep ] && need grep
  dec "$1"; resolve "$P" 1 || fail ELOOP
  D=$R
  [ -d "$D" ] || { [ -e "$D" ] && fail ENOTDIR; fail ENOENT; }
  cd "$D" || fail EACCES
  cap=$2 pattern=$3 nocase=$4 g=-nH
  set --
  # The container's own /proc, /sys and /dev are not files anyone searches.
  [ "$D" = . ] && set -- '(' -path ./proc -o -path ./sys -o -path ./dev ')' -prune -o
  say files
  find . "$@" -type f -print0 2>/dev/null | head -c "$cap"
  printf '\n'
  if [ "$op" = grep ]; then
    grep -I -q -e x /dev/null 2>/dev/null
    [ $? = 1 ] && g=\${g}I
    [ "$nocase" = 1 ] && g=\${g}i
    say matches
    find . "$@" -type f -exec grep $g -F -m 100 -e "$pattern" -- {} + 2>/dev/null | head -c "$cap"
    printf '\n'
  fi
  say end
  ;;
mkdir)
  need mkdir
  dec "$1"; resolve "$P" 0 || fail ELOOP
  [ -e "$R" ] || [ -L "$R" ] && fail EEXIST
  parent_exists "$R"
  mkdir "$R" || exit 1
  say done
  ;;
esac
`;

export type RemoteOperation =
  | { readonly op: 'stat' | 'list' | 'read' | 'mkdir'; readonly path: string }
  | {
      readonly op: 'stage';
      readonly path: string;
      readonly overwrite: boolean;
      readonly create: boolean;
      readonly size: number;
    }
  | { readonly op: 'commit' | 'discard'; readonly path: string; readonly stagedAs: string }
  | { readonly op: 'delete'; readonly path: string; readonly recursive: boolean }
  | { readonly op: 'files'; readonly path: string; readonly maxBytes: number }
  | {
      readonly op: 'grep';
      readonly path: string;
      readonly maxBytes: number;
      readonly text: string;
      readonly ignoreCase: boolean;
    }
  | {
      readonly op: 'rename' | 'copy';
      readonly path: string;
      readonly target: string;
      readonly overwrite: boolean;
    };

/** A fresh nonce for one operation: the records' mark and the temporary file's name. */
export function newNonce(): string {
  return `ppe${randomBytes(12).toString('hex')}`;
}

/**
 * A path (as a URI carries it) as one argument: `r` and the path when its bytes are UTF-8 (an
 * exec's arguments travel as UTF-8), else `o` and a printf format of octal escapes.
 */
export function pathArgument(path: string): string {
  const bytes = nameToBytes(path);
  if (bytesToName(bytes) === path && Buffer.from(path, 'utf8').equals(bytes)) {
    return `r${path}`;
  }
  let format = 'o';
  for (const byte of bytes) {
    format += /[A-Za-z0-9._/-]/.test(String.fromCharCode(byte))
      ? String.fromCharCode(byte)
      : `\\${byte.toString(8).padStart(3, '0')}`;
  }
  return format;
}

const flag = (value: boolean) => (value ? '1' : '0');

/** The argv that runs `operation` on `root` (`/proc/<pid>/root`); records carry `nonce`. */
export function remoteCommand(root: string, nonce: string, operation: RemoteOperation): string[] {
  const head = ['sh', '-c', SCRIPT, 'sh', root, nonce, operation.op, pathArgument(operation.path)];
  switch (operation.op) {
    case 'stage':
      return [...head, flag(operation.overwrite), flag(operation.create), String(operation.size)];
    case 'commit':
    case 'discard':
      return [...head, operation.stagedAs];
    case 'delete':
      return [...head, flag(operation.recursive)];
    case 'files':
      return [...head, String(operation.maxBytes)];
    case 'grep':
      return [...head, String(operation.maxBytes), operation.text, flag(operation.ignoreCase)];
    case 'rename':
    case 'copy':
      return [...head, pathArgument(operation.target), flag(operation.overwrite)];
    default:
      return head;
  }
}
