// Command gugugo is an offline Korean⇄English translator running the Gugugo models through llama.cpp: a desktop
// window, and a command line in the same binary.
package main

import (
	"os"

	"github.com/gugugo-desktop/gugugo/cli"
	"github.com/gugugo-desktop/gugugo/inference"
)

func main() {
	if code, ok := inference.RunProbeChild(); ok { // this process tries a GPU plugin for its parent (inference/probe.go)
		os.Exit(code)
	}
	os.Exit(cli.Run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, openWindow))
}
