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
	"strings"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// command is a subcommand: its name, its arguments and what it does (for
// the usage), and its entry point, in cmd_<name>.go.
type command struct {
	name, args, summary string
	run                 func(args []string, stdout, stderr io.Writer) int
}

// commands is the command table, in the order the usage lists them.
var commands = []command{
	{"parse", "FILE...", "parse record files and print them as JSON", cmdParse},
	{"index", "", "build or update the search index", cmdIndex},
	{"serve", "", "serve the web UI and JSON API", cmdServe},
	{"search", "QUERY", "search the index from the command line", cmdSearch},
	{"alerts", "list|run|deliver", "manage saved alerts", cmdAlerts},
}

func usage() string {
	var b strings.Builder
	b.WriteString("usage: dialoguesearch <command> [flags]\n\ncommands:\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-25s%s\n", strings.TrimSpace(c.name+" "+c.args), c.summary)
	}
	b.WriteString("\nRun 'dialoguesearch <command> -h' for a command's flags.\n")
	return b.String()
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, usage())
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "dialoguesearch: unknown command %q\n\n%s", args[0], usage())
	return 2
}
