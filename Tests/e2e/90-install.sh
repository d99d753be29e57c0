#!/usr/bin/env bash
# Scripts/install PREFIX into a scratch prefix: the binary runs (--version
# names the package version and the commit), the mount helper links to it,
# the bash, zsh and fish completions load in their shells and complete
# subcommands and options, and the man page renders with `man -l`.
source "$(dirname "$0")/lib.sh"
require_tools man bash zsh fish

P="$WORK/prefix"
"$ROOT/Scripts/install" "$P" > "$WORK/install.log" 2>&1 || { tail -30 "$WORK/install.log"; fail "Scripts/install $P"; }
for f in bin/mediafs sbin/mount.fuse.mediafs share/bash-completion/completions/mediafs \
         share/zsh/site-functions/_mediafs share/fish/vendor_completions.d/mediafs.fish share/man/man1/mediafs.1; do
  [ -e "$P/$f" ] || fail "not installed: $f"
done
echo "ok: installed files"

# --version: the package version, and the commit this checkout is at.
version="$("$P/bin/mediafs" --version)"
grep -Eq '^mediafs [0-9]+\.[0-9]+\.[0-9]+' <<<"$version" || fail "--version: $version"
if commit="$(git -C "$ROOT" rev-parse --short=12 HEAD 2>/dev/null)"; then
  grep -qF "git $commit" <<<"$version" || fail "--version does not name commit $commit: $version"
fi
[ "$("$P/sbin/mount.fuse.mediafs" --version)" = "$version" ] || fail "mount.fuse.mediafs is not the installed binary"
echo "ok: --version: $version"

# bash: the completion function is registered and offers the subcommands and options.
out="$(bash -c 'source "$1"; complete -p mediafs' _ "$P/share/bash-completion/completions/mediafs")" || fail "bash completion does not load"
grep -q "mediafs" <<<"$out" || fail "complete -p mediafs: $out"
words="$(bash -c '
  source "$1"
  fn="$(complete -p mediafs | sed -E "s/.*-F ([^ ]+) .*/\1/")"
  COMP_WORDS=(mediafs ""); COMP_CWORD=1; COMP_LINE="mediafs "; COMP_POINT=${#COMP_LINE}
  "$fn" mediafs "" mediafs; printf "%s\n" "${COMPREPLY[@]}"
  COMP_WORDS=(mediafs verify --f); COMP_CWORD=2; COMP_LINE="mediafs verify --f"; COMP_POINT=${#COMP_LINE}
  "$fn" mediafs --f verify; printf "%s\n" "${COMPREPLY[@]}"
' _ "$P/share/bash-completion/completions/mediafs")"
for w in library tree export mount unmount verify --format; do
  grep -qx -- "$w" <<<"$words" || fail "bash completion does not offer $w: $(tr '\n' ' ' <<<"$words")"
done
echo "ok: bash completion (subcommands; verify --format)"

# zsh: compinit finds _mediafs on fpath and binds it to mediafs.
out="$(zsh -fc 'fpath=("$1" $fpath); autoload -U compinit; compinit -u -D; print -r -- ${_comps[mediafs]}' _ "$P/share/zsh/site-functions")"
[ "$out" = "_mediafs" ] || fail "zsh: mediafs is completed by '$out'"
echo "ok: zsh completion"

# fish: the completions load and offer the subcommands.
out="$(fish --no-config -c 'source $argv[1]; complete -C "mediafs "' "$P/share/fish/vendor_completions.d/mediafs.fish")"
for w in library export verify mount; do grep -q "^$w" <<<"$out" || fail "fish does not offer $w: $out"; done
echo "ok: fish completion"

# The man page: renders, and says what the help says.
page="$(MANWIDTH=100 man -l "$P/share/man/man1/mediafs.1" 2>"$WORK/man.err" | col -b)" || fail "man -l: $(cat "$WORK/man.err")"
[ ! -s "$WORK/man.err" ] || fail "man -l warnings: $(cat "$WORK/man.err")"
for text in "mediafs" "verify" "export" "library" "Compare a written image"; do
  grep -qF -- "$text" <<<"$page" || fail "man page lacks '$text'"
done
echo "ok: man -l renders the page"
echo "all install tests passed"
