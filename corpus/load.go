package corpus

import (
	"embed"
	"io"
	"io/fs"
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
// TODO(issue 2): implemented by the parser.
func Parse(r io.Reader, name string) (*Record, error) {
	panic("not implemented")
}

// Load parses every record file in fsys (recursively, in path order). A file
// that cannot be parsed is reported as a Problem and skipped; the others load.
// TODO(issue 2): implemented by the parser.
func Load(fsys fs.FS) ([]*Record, []Problem) {
	panic("not implemented")
}
