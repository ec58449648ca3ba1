import { randomBytes } from 'node:crypto';
import { bytesToName, nameToBytes } from './procfsUri';

/*
 * Every filesystem operation is one POSIX sh script, run by exec in the inspecting container as
 * `sh -c SCRIPT sh ROOT NONCE OP ARG…`: names travel only as arguments, never as shell text, and
 * the script only ever expands them inside double quotes, each behind `./`, so a name with a
 * leading `-` is never an option.
 *
 * The target container may be hostile and may change its files while we work: a directory
 * swapped for a link to `/` between two walks of one path would send a read, a write or a
 * delete into the inspecting container, since the kernel resolves an absolute link under
 * `/proc/<pid>/root` against the *reader's* root. So no tool is ever handed a path with a `/`
 * in it that the target could redirect:
 * - ROOT is held open on fd 9; `resolve` walks a path from there one component at a time with
 *   `cd -P`, follows links by hand inside the root (forty at most: Linux's limit), and then
 *   proves with one `stat` that the root lies exactly as many `..` above the working directory
 *   as components were entered: a component swapped for a link mid-walk fails the proof.
 * - Every operation then acts only on the last name, in that pinned directory: `rename` and
 *   `rm` never follow a last name; a file read is opened first and then checked to be the very
 *   file at that name (`same`, lstat against fstat); temporary files are created exclusively
 *   (`set -C`), checked the same way, and their owner and mode set through the open file.
 * - Recursive delete and copy walk directory by directory with `enter`, which checks that the
 *   directory entered is a child of the one it was entered from.
 * - A second directory (a rename's or a copy's destination) is held open on fd 5 and reached as
 *   `/proc/self/fd/5/NAME`, which the kernel resolves to that very directory.
 *
 * Output records start with a random nonce (`NONCE kind …`), which no file name can know, so a
 * name holding newlines cannot forge one. A refused operation is a `NONCE err CODE` record with
 * exit status 0, first or, once output has begun, last; a failing tool exits non-zero with its
 * own message on stderr, which says why in the same words on busybox and GNU (strerror).
 */
const SCRIPT = `N=$2 NL='
'
say() { printf '%s %s\\n' "$N" "$*"; }
fail() { say err "$@"; exit 0; }
need() { for t; do command -v "$t" >/dev/null 2>&1 || fail ETOOL "$t"; done; }
dec() {
  case $1 in
    r*) P=\${1#r} ;;
    *) P=$(printf "\${1#o}x") && P=\${P%x} ;;
  esac
}
more() {
  r=$rest
  while :; do
    case $r in
      /*) r=\${r#/} ;;
      ./*) r=\${r#./} ;;
      .) r= ;;
      *) break ;;
    esac
  done
  [ -n "$r" ]
}
pinned() {
  up=. i=0
  while [ "$i" -lt "$depth" ]; do up=$up/.. i=$((i + 1)); done
  set -- $(stat -c %d:%i /proc/self/fd/9/. "$up" .) || { E=EIO; return 1; }
  [ "$#" = 3 ] && [ "$1" = "$2" ] || { E=ERACE; return 1; }
  HERE=$3
}
resolve() {
  rest=$1 depth=0 hops=0 B=.
  cd -P /proc/self/fd/9 || { E=EPTRACE; return 1; }
  while more; do
    c=\${rest%%/*}
    case $rest in */*) rest=\${rest#*/} ;; *) rest= ;; esac
    case $c in '' | .) continue ;; esac
    B=.
    if [ "$c" = .. ]; then
      [ "$depth" -gt 0 ] || continue
      cd -P .. || { E=EACCES; return 1; }
      depth=$((depth - 1))
    elif [ -L "./$c" ] && { more || [ "$2" = 1 ]; }; then
      hops=$((hops + 1))
      [ "$hops" -le 40 ] || { E=ELOOP; return 1; }
      t=$(readlink "./$c" && echo x) || { E=EIO; return 1; }
      case $t in /*) cd -P /proc/self/fd/9 || { E=EPTRACE; return 1; }; depth=0 ;; esac
      rest=\${t%?x}/$rest
    elif more; then
      if ! cd -P "./$c" 2>/dev/null; then
        if [ ! -e "./$c" ]; then E=ENOENT; elif [ ! -d "./$c" ]; then E=ENOTDIR; else E=EACCES; fi
        return 1
      fi
      depth=$((depth + 1))
    else
      B=$c
    fi
  done
  pinned
}
enter() {
  cd -P "./$1" || return 1
  ids=$(stat -c %d:%i . ..) || return 1
  [ "\${ids##*[!0-9:]}" = "$HERE" ] || { echo "$1: changed while it was opened" >&2; return 1; }
  HERE=\${ids%%[!0-9:]*}
}
same() {
  x=$(stat -c %d:%i:%f "$1") && y=$(stat -L -c %d:%i:%f "/proc/self/fd/$2") && [ "$x" = "$y" ] &&
    [ -f "/proc/self/fd/$2" ] || { echo "$1: changed while it was opened" >&2; return 1; }
}
kind() {
  if [ -p "$1" ]; then echo fifo; elif [ -c "$1" ]; then echo char; elif [ -b "$1" ]; then echo block
  elif [ -S "$1" ]; then echo socket; else echo other; fi
}
rmtree() {
  (
    enter "$1" || exit 1
    set --
    for e in ./* ./.[!.]* ./..?*; do
      if [ -d "$e" ] && [ ! -L "$e" ]; then
        rmtree "\${e#./}" || exit 1
      elif [ -e "$e" ] || [ -L "$e" ]; then
        set -- "$@" "$e"
      fi
    done
    [ "$#" = 0 ] || rm -f "$@"
  ) && rmdir "./$1"
}
remove() {
  if [ -d "./$1" ] && [ ! -L "./$1" ]; then rmtree "$1"; else rm -f "./$1"; fi
}
attrs() {
  chown "\${1% *}" "$2" 2>/dev/null
  chmod "\${1#* }" "$2" 2>/dev/null || :
}
copytree() {
  if [ -L "./$1" ]; then
    t=$(readlink "./$1" && echo x) && ln -s "\${t%?x}" "/proc/self/fd/5/$2"
  elif [ -d "./$1" ]; then
    mkdir "/proc/self/fd/5/$2" && (
      enter "$1" || exit 1
      exec 4<.
      a=$(stat -c '%u:%g %a' .) && S=$HERE HERE=$DHERE && cd -P /proc/self/fd/5 && enter "$2" &&
        DHERE=$HERE HERE=$S && exec 5<. && cd -P /proc/self/fd/4 || exit 1
      for e in ./* ./.[!.]* ./..?*; do
        [ -e "$e" ] || [ -L "$e" ] || continue
        copytree "\${e#./}" "\${e#./}" || exit 1
      done
      attrs "$a" /proc/self/fd/5
    )
  elif [ -f "./$1" ]; then
    (
      command exec 3<"./$1" && same "./$1" 3 || exit 1
      set -C
      umask 077
      command exec 6>"/proc/self/fd/5/$2" && same "/proc/self/fd/5/$2" 6 && cat <&3 >&6 &&
        a=$(stat -L -c '%u:%g %a' /proc/self/fd/3) || exit 1
      attrs "$a" /proc/self/fd/6
    )
  else
    cp -a "./$1" "/proc/self/fd/5/$2"
  fi
}
gone() {
  [ -d "\${1%/root}" ] || return 0
  read -r s 2>/dev/null <"\${1%/root}/stat" || return 1
  s=\${s##*)}
  case $s in ' Z'* | ' X'*) return 0 ;; esac
  return 1
}
cd "$1" 2>/dev/null && exec 9<. || { gone "$1" && fail ESRCH; fail EPTRACE; }
need readlink stat
op=$3
shift 3
case $op in
stat)
  dec "$1"; resolve "$P" 0 || fail "$E"
  link=0
  if [ -L "./$B" ]; then
    link=1
    resolve "$P" 1 && [ -e "./$B" ] || { link=dangling; resolve "$P" 0 || fail "$E"; }
  fi
  [ -w "./$B" ] && w=1 || w=0
  printf '%s stat %s %s ' "$N" "$link" "$w"
  exec stat -c '%f %s %Y' "./$B"
  ;;
list)
  need find
  dec "$1"; resolve "$P" 1 || fail "$E"
  [ -d "./$B" ] || { [ -e "./$B" ] && fail ENOTDIR; fail ENOENT; }
  [ -x "./$B" ] && [ -r "./$B" ] || fail EACCES
  [ "$B" = . ] || enter "$B" || exit 1
  say list
  find . -mindepth 1 -maxdepth 1 -exec stat -c "$N %f %s %Y %n" {} + || fail EIO find
  for e in ./* ./.[!.]* ./..?*; do
    [ -L "$e" ] || continue
    k=$(resolve "$P/\${e#./}" 1 || exit 1
      if [ -d "./$B" ]; then echo d; elif [ -e "./$B" ]; then echo f; else echo -; fi) || k=-
    printf '%s link %s %s\\n' "$N" "$k" "$e"
  done
  say end
  ;;
read)
  need head
  dec "$1"; resolve "$P" 1 || fail "$E"
  [ -d "./$B" ] && fail EISDIR
  [ -e "./$B" ] || fail ENOENT
  [ -f "./$B" ] || fail ESPECIAL "$(kind "./$B")"
  command exec 3<"./$B" && same "./$B" 3 || exit 1
  size=$(stat -L -c %s /proc/self/fd/3) || exit 1
  [ "$size" -le "$2" ] || fail EFBIG "$size"
  if [ "$size" = 0 ]; then
    say stream
    exec head -c "$(($3 + 1))" <&3
  fi
  say size "$size"
  exec head -c "$((size + 1))" <&3
  ;;
stage)
  need head chmod chown rm
  dec "$1"; resolve "$P" 1 || fail "$E"
  F=$B a=
  [ "$F" = . ] && fail EISDIR
  if [ -e "./$F" ] || [ -L "./$F" ]; then
    [ "$2" = 1 ] || fail EEXIST
    [ -d "./$F" ] && fail EISDIR
    [ -f "./$F" ] || fail ESPECIAL "$(kind "./$F")"
    [ -w "./$F" ] || fail EACCES
    a=$(stat -c '%f %u:%g %a' "./$F") || exit 1
    case $a in 8*) a=\${a#* } ;; *) echo "$F: changed while it was opened" >&2; exit 1 ;; esac
  else
    [ "$3" = 1 ] || fail ENOENT
  fi
  T=./.ppe-$N.tmp
  umask 077
  set -C
  command exec 4>"$T" || exit 1
  same "$T" 4 || { rm -f "$T"; exit 1; }
  head -c "$4" >&4 || { rm -f "$T"; exit 1; }
  [ "$(stat -L -c %s /proc/self/fd/4)" = "$4" ] || { rm -f "$T"; fail ESHORT; }
  [ -z "$a" ] || attrs "$a" /proc/self/fd/4
  say staged
  ;;
commit | discard | inplace)
  need mv rm
  dec "$1"; resolve "$P" 1 || fail "$E"
  T=./.ppe-$2.tmp
  case $op in
  discard) rm -f "$T" ;;
  commit) mv -f -T "$T" "./$B" || { rm -f "$T"; exit 1; } ;;
  inplace)
    need cat
    command exec 6<"$T" && same "$T" 6 && command exec 5<"./$B" && same "./$B" 5 || exit 1
    cat <&6 >/proc/self/fd/5 || exit 1
    rm -f "$T"
    ;;
  esac
  say done
  ;;
delete)
  need rm rmdir
  dec "$1"; resolve "$P" 0 || fail "$E"
  [ "$B" = . ] && fail EACCES
  [ -e "./$B" ] || [ -L "./$B" ] || fail ENOENT
  if [ -d "./$B" ] && [ ! -L "./$B" ]; then
    if [ "$2" = 1 ]; then rmtree "$B" || exit 1; else rmdir "./$B" || exit 1; fi
  else
    rm -f "./$B" || exit 1
  fi
  say done
  ;;
rename | copy)
  need mv rm rmdir cp ln mkdir chmod chown cat
  dec "$2"; resolve "$P" 0 || fail "$E"
  [ "$B" = . ] && fail EACCES
  D=$B DHERE=$HERE p=. up=. i=0
  while [ "$i" -lt "$depth" ]; do p=$p/.. up="$up $p" i=$((i + 1)); done
  exec 5<.
  dec "$1"; resolve "$P" 0 || fail "$E"
  [ "$B" = . ] && fail EACCES
  [ -e "./$B" ] || [ -L "./$B" ] || fail ENOENT
  if [ . -ef /proc/self/fd/5 ] && [ "$B" = "$D" ]; then
    [ "$op" = rename ] || fail EEXIST
    say done
    exit 0
  fi
  if [ -d "./$B" ] && [ ! -L "./$B" ]; then
    top=$(stat -c %d:%i "./$B") && ids=$(cd -P /proc/self/fd/5 && stat -c %d:%i $up) || exit 1
    case "$NL$ids$NL" in *"$NL$top$NL"*) fail EINVAL ;; esac
  fi
  exec 4<.
  if [ -e "/proc/self/fd/5/$D" ] || [ -L "/proc/self/fd/5/$D" ]; then
    [ "$3" = 1 ] || fail EEXIST
    (cd -P /proc/self/fd/5 && HERE=$DHERE && remove "$D") || exit 1
  fi
  if [ "$op" = rename ]; then
    if ! [ . -ef /proc/self/fd/5 ]; then
      set -C
      command exec 6>"./.ppe-$N.probe" || exit 1
      ln "./.ppe-$N.probe" "/proc/self/fd/5/.ppe-$N.probe" 2>/dev/null
      r=$?
      rm -f "./.ppe-$N.probe" "/proc/self/fd/5/.ppe-$N.probe"
      [ "$r" = 0 ] || fail EXDEV
    fi
    mv -f -T "./$B" "/proc/self/fd/5/$D" || exit 1
  else
    copytree "$B" "$D" || exit 1
  fi
  say done
  ;;
mkdir)
  need mkdir
  dec "$1"; resolve "$P" 0 || fail "$E"
  [ "$B" = . ] && fail EEXIST
  { [ -e "./$B" ] || [ -L "./$B" ]; } && fail EEXIST
  mkdir "./$B" || exit 1
  say done
  ;;
files | grep)
  need find head
  [ "$op" = grep ] && need grep
  dec "$1"; resolve "$P" 1 || fail "$E"
  [ -d "./$B" ] || { [ -e "./$B" ] && fail ENOTDIR; fail ENOENT; }
  [ -x "./$B" ] && [ -r "./$B" ] || fail EACCES
  [ "$B" = . ] || enter "$B" || exit 1
  cap=$2 pattern=$3 nocase=$4 g=-nH
  set --
  # The container's own /proc, /sys and /dev are not files anyone searches.
  [ "$P" = / ] && set -- '(' -path ./proc -o -path ./sys -o -path ./dev ')' -prune -o
  exec 7>&1
  say files
  # find's status comes back on fd 8: a directory it could not read makes the list incomplete.
  st=$({ { find . "$@" -type f -print0 2>/dev/null; echo "$?" >&8; } | head -c "$cap" >&7; } 8>&1)
  printf '\\n'
  if [ "$op" = grep ]; then
    grep -I -q -e x /dev/null 2>/dev/null
    [ $? = 1 ] && g=\${g}I
    [ "$nocase" = 1 ] && g=\${g}i
    say matches
    find . "$@" -type f -exec grep $g -F -m 100 -e "$pattern" -- {} + 2>/dev/null | head -c "$cap"
    printf '\\n'
  fi
  say end "$st"
  ;;
esac
`;

export type RemoteOperation =
  | { readonly op: 'stat' | 'list' | 'mkdir'; readonly path: string }
  | {
      readonly op: 'read';
      readonly path: string;
      /** A larger file is refused before any byte is sent. */
      readonly maxBytes: number;
      /** At most this much of a file whose size is 0 (`/proc`, `/sys`) is sent. */
      readonly maxStreamBytes: number;
    }
  | {
      readonly op: 'stage';
      readonly path: string;
      readonly overwrite: boolean;
      readonly create: boolean;
      readonly size: number;
    }
  | {
      /** `inplace` writes the staged bytes into the existing file: for a file rename cannot replace. */
      readonly op: 'commit' | 'discard' | 'inplace';
      readonly path: string;
      readonly stagedAs: string;
    }
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
    case 'read':
      return [...head, String(operation.maxBytes), String(operation.maxStreamBytes)];
    case 'commit':
    case 'discard':
    case 'inplace':
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
