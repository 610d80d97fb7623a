package main

import (
	"errors"
	"fmt"
	"net"
	"syscall"
)

// listen opens a TCP listener on addr (HOST:PORT) for serve and demo. Errors name the
// address and say what to do; an address already in use (EADDRINUSE: another jaga, or
// another program) says so, and suggests --addr 127.0.0.1:0, which picks a free port.
func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err == nil {
		return ln, nil
	}
	const other = "pick another address with --addr HOST:PORT, or --addr 127.0.0.1:0 for a free port"
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, withHint(fmt.Errorf("cannot listen on %s: the address is already in use (another jaga, or another program)", addr),
			"stop what listens there, or "+other)
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		err = oe.Err // net.OpError repeats "listen tcp ADDR"
	}
	return nil, withHint(fmt.Errorf("cannot listen on %s: %w", addr, err), other)
}
