// Command gugugo is an offline Korean⇄English translator running the Gugugo models through llama.cpp.
package main

import (
	"os"

	"github.com/gugugo-desktop/gugugo/cli"
)

func main() {
	os.Exit(cli.Run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
