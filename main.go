// Command dialoguesearch is a full-text search engine over defense dialogue
// records: joint communiqués, joint press statements, fact sheets and press
// releases of the U.S.-ROK alliance.
//
//	dialoguesearch parse FILE...      print records as JSON
//	dialoguesearch index              build or update the index
//	dialoguesearch serve              run the web UI and JSON API
//	dialoguesearch search QUERY       search from the command line
//	dialoguesearch alerts list|run|deliver
package main

import (
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// commands maps a subcommand name to its entry point; each lives in cmd_<name>.go.
var commands = map[string]func(args []string, stdout, stderr io.Writer) int{}

const usage = `usage: dialoguesearch <command> [flags]

commands:
  parse FILE...            parse record files and print them as JSON
  index                    build or update the search index
  serve                    serve the web UI and JSON API
  search QUERY             search the index from the command line
  alerts list|run|deliver  manage saved alerts

Run 'dialoguesearch <command> -h' for a command's flags.
`

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, usage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "dialoguesearch: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	return cmd(args[1:], stdout, stderr)
}
