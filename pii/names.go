package pii

func (st *state) namesPass(from, limit int) {}
