package corpus

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"dialoguesearch/failure"
)

// ErrOutside is the error of a record file reached through a symbolic link
// that points outside the corpus directory: it is not followed, so that a
// link cannot make the server read (and publish) any file of the machine.
var ErrOutside = errors.New("symbolic link points outside the corpus directory")

// maxLinkHops bounds the links followed to resolve one name (as the kernel
// does with ELOOP).
const maxLinkHops = 40

// Open opens the record file name of fsys, refusing one that is, or sits
// under, a symbolic link pointing outside fsys (an absolute target, or one
// that climbs above the root). Links that stay inside are followed. On a
// file system without links (fs.ReadLinkFS not implemented, as embed.FS)
// it is fsys.Open.
func Open(fsys fs.FS, name string) (fs.File, error) {
	if escapes(fsys, name) {
		return nil, &failure.Error{Kind: failure.Forbidden,
			Msg: fmt.Sprintf("corpus: %s: %v; not followed", name, ErrOutside), Err: ErrOutside}
	}
	return fsys.Open(name)
}

// escapes reports whether resolving name's links leaves fsys.
func escapes(fsys fs.FS, name string) bool {
	if _, ok := fsys.(fs.ReadLinkFS); !ok {
		return false
	}
	parts := strings.Split(name, "/")
	cur, hops := "", 0
	for len(parts) > 0 {
		next := path.Join(cur, parts[0])
		parts = parts[1:]
		if next == "." {
			cur = ""
			continue
		}
		info, err := fs.Lstat(fsys, next)
		if err != nil {
			return false // Open reports it
		}
		if info.Mode()&fs.ModeSymlink == 0 {
			cur = next
			continue
		}
		if hops++; hops > maxLinkHops {
			return false // a loop: Open reports it
		}
		target, err := fs.ReadLink(fsys, next)
		if err != nil || path.IsAbs(target) || strings.HasPrefix(target, `\`) {
			return true
		}
		resolved := path.Join(cur, target)
		if resolved == ".." || strings.HasPrefix(resolved, "../") {
			return true
		}
		parts = append(strings.Split(resolved, "/"), parts...)
		cur = ""
	}
	return false
}
