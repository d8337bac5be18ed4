package corpus

import (
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"dialoguesearch/failure"
)

//go:embed records
var embedded embed.FS

// Default returns the embedded default corpus: the record files shipped with
// the binary.
func Default() fs.FS {
	sub, err := fs.Sub(embedded, "records")
	if err != nil {
		panic(err) // the embed directive guarantees the directory
	}
	return sub
}

// Problem is a record file that could not be parsed, and why.
type Problem struct {
	File string
	Err  error
}

func (p Problem) Error() string { return p.File + ": " + p.Err.Error() }

// Parse turns one record file, as found on the web, into a Record.
// name is the file's path as given; it becomes Record.Source.
//
// The file may be UTF-8 (with or without BOM), UTF-16 with BOM,
// Windows-1252 or EUC-KR, plain text or HTML, with CRLF or LF line ends, and
// may start with a front-matter block whose fields override what is
// extracted. Empty, binary and oversized (over MaxFileSize) files are
// errors that name the file and the reason (ErrEmpty, ErrBinary,
// ErrTooLarge, ErrNoText via errors.Is; failure kinds Unprocessable and
// TooLarge).
func Parse(rd io.Reader, name string) (*Record, error) { return DefaultRules().Parse(rd, name) }

// Parse is the package-level Parse with these rules.
func (r *Rules) Parse(rd io.Reader, name string) (*Record, error) {
	b, err := io.ReadAll(io.LimitReader(rd, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("corpus: %s: read: %w", name, err)
	}
	if len(b) > MaxFileSize {
		return nil, fileError(failure.TooLarge, ErrTooLarge, name, "file is over the %d MB limit", MaxFileSize>>20)
	}
	return r.parseBytes(b, name, nil)
}

// ParseWithSidecar is Parse with the bytes of the record's sidecar file
// (NAME.meta.yaml, see SidecarNames): its "key: value" lines, the keys of
// front matter, override what the parser extracts and what the file's own
// front matter says, so that a user corrects a record without editing the
// saved original. A nil sidecar is none.
func (r *Rules) ParseWithSidecar(rd io.Reader, name string, sidecar []byte) (*Record, error) {
	b, err := io.ReadAll(io.LimitReader(rd, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("corpus: %s: read: %w", name, err)
	}
	if len(b) > MaxFileSize {
		return nil, fileError(failure.TooLarge, ErrTooLarge, name, "file is over the %d MB limit", MaxFileSize>>20)
	}
	var side frontMatter
	if sidecar != nil {
		side, err = parseSidecar(sidecar)
		if err != nil {
			return nil, fileError(failure.Unprocessable, err, name, "sidecar: %v", err)
		}
	}
	return r.parseBytes(b, name, side)
}

// SidecarSuffix ends the name of a sidecar file.
const SidecarSuffix = ".meta.yaml"

// SidecarNames are the names the sidecar of record file name may have, in
// order of preference: "scm-55.meta.yaml" and "scm-55.html.meta.yaml" for
// "scm-55.html".
func SidecarNames(name string) []string {
	ext := path.Ext(name)
	return []string{strings.TrimSuffix(name, ext) + SidecarSuffix, name + SidecarSuffix}
}

// IsSidecar says whether a file name is a sidecar's.
func IsSidecar(name string) bool { return strings.HasSuffix(name, SidecarSuffix) }

// RecordOfSidecar returns the record file names a sidecar may belong to,
// without extension ("scm-55" for "scm-55.meta.yaml"; the caller matches
// any record file of that stem) and with ("scm-55.html").
func RecordOfSidecar(name string) string { return strings.TrimSuffix(name, SidecarSuffix) }

// readSidecar returns the sidecar of record file name in fsys, nil when
// there is none.
func readSidecar(fsys fs.FS, name string) []byte {
	for _, s := range SidecarNames(name) {
		f, err := Open(fsys, s) // a sidecar outside the corpus dir is not followed either
		if err != nil {
			continue
		}
		b, err := io.ReadAll(io.LimitReader(f, 1<<20))
		f.Close()
		if err == nil {
			return b
		}
	}
	return nil
}

// recordExt are the extensions of the files Load reads, each with whether
// the name says HTML; others (README, images) are skipped silently.
var recordExt = map[string]bool{".txt": false, ".text": false, ".md": false, ".html": true, ".htm": true, ".xhtml": true, "": false}

// IsRecordFile reports whether Load reads a file of this name (by its
// extension; a name starting with "." is never a record).
func IsRecordFile(name string) bool {
	base := path.Base(name)
	if strings.HasPrefix(base, ".") {
		return false
	}
	_, ok := recordExt[strings.ToLower(path.Ext(base))]
	return ok
}

// IsHTMLName reports whether a record file's name says it is HTML.
func IsHTMLName(name string) bool {
	return recordExt[strings.ToLower(path.Ext(name))]
}

// Load parses every record file in fsys (recursively, in path order). A file
// that cannot be parsed is reported as a Problem and skipped; the others load.
// Files whose names start with "." and files with other extensions than
// .txt, .text, .md, .html, .htm and .xhtml (or none) are not records and are
// skipped. Two different records that come out with the same ID are a
// Problem for the second file.
func Load(fsys fs.FS) ([]*Record, []Problem) { return DefaultRules().Load(fsys) }

// Load is the package-level Load with these rules.
func (r *Rules) Load(fsys fs.FS) ([]*Record, []Problem) {
	l := r.LoadCached(fsys, nil)
	return l.Records, l.Problems
}

func duplicateProblem(name, id, prev string) Problem {
	return Problem{File: name, Err: &failure.Error{Kind: failure.Conflict,
		Msg: fmt.Sprintf("corpus: %s: record id %q is already used by %s", name, id, prev), Err: ErrDuplicate}}
}

func pathBase(p string) string { return path.Base(p) }

// Parsed is the outcome of parsing one file in ParseAll.
type Parsed struct {
	Record *Record
	Err    error
}

// ParseAll calls parse for each of names on every core (GOMAXPROCS
// workers) and returns the outcomes in the order of names.
func ParseAll(names []string, parse func(name string) (*Record, error)) []Parsed {
	out := make([]Parsed, len(names))
	parallel(len(names), func(i int) { out[i].Record, out[i].Err = parse(names[i]) })
	return out
}

// parallel calls f(0) ... f(n-1) on GOMAXPROCS workers.
func parallel(n int, f func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				f(i)
			}
		})
	}
	wg.Wait()
}

// ErrDuplicate is the error of a Problem for a second record with an ID
// already loaded.
var ErrDuplicate = errors.New("duplicate record id")

func (r *Rules) loadOne(fsys fs.FS, name string) (*Record, error) {
	if info, err := fs.Stat(fsys, name); err == nil && info.Size() > MaxFileSize {
		return nil, fileError(failure.TooLarge, ErrTooLarge, name, "file is %d bytes, over the %d MB limit", info.Size(), MaxFileSize>>20)
	}
	f, err := Open(fsys, name)
	if errors.Is(err, ErrOutside) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("corpus: %s: %w", name, err)
	}
	defer f.Close()
	return r.ParseWithSidecar(f, name, readSidecar(fsys, name))
}

// LoadFile parses the record file name of fsys with its sidecar file, if
// any: what Load does for each file.
func (r *Rules) LoadFile(fsys fs.FS, name string) (*Record, error) { return r.loadOne(fsys, name) }
