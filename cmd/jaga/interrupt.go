package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// interruptedError is the cancel cause of the command's context (signalContext) when a
// signal stopped the command: SIGINT (Ctrl-C) or SIGTERM. It is a context.Canceled, as
// the cause of signal.NotifyContext is, so that code waiting on the context sees it as
// one.
type interruptedError struct{ sig syscall.Signal }

// Error reads "interrupted (SIGINT, Ctrl-C)" or "stopped by SIGTERM".
func (e interruptedError) Error() string {
	if e.sig == syscall.SIGINT {
		return "interrupted (SIGINT, Ctrl-C)"
	}
	return "stopped by " + signalName(e.sig)
}

// Is makes an interruptedError a context.Canceled.
func (e interruptedError) Is(target error) bool { return target == context.Canceled }

// exitCode is the conventional exit status of a process stopped by the signal: 128
// plus its number (130 for SIGINT, 143 for SIGTERM), as shells report one the signal
// killed.
func (e interruptedError) exitCode() int { return 128 + int(e.sig) }

// signalName names the signals signalContext catches.
func signalName(s syscall.Signal) string {
	switch s {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return fmt.Sprintf("signal %d", int(s))
}

// signalContext returns the context the jaga command runs under: cancelled, with an
// interruptedError as its cause (context.Cause), at the first SIGINT or SIGTERM. Later
// signals are caught too (as with signal.NotifyContext), so that a command finishing
// its report after the first one is not killed half-way through it; stop restores the
// default behaviour.
func signalContext() (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case s := <-ch:
			sig, _ := s.(syscall.Signal)
			cancel(interruptedError{sig})
		case <-ctx.Done():
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		cancel(nil)
	}
}

// interruption returns the signal that cancelled ctx, if one did (signalContext).
func interruption(ctx context.Context) (interruptedError, bool) {
	var ie interruptedError
	ok := ctx.Err() != nil && errors.As(context.Cause(ctx), &ie)
	return ie, ok
}
