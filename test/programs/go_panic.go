// A Go panic: a nil map entry dereferenced in a worker goroutine.
package main

import (
	"fmt"
	"sync"
)

type session struct{ bytes int }

func account(sessions map[string]*session, id string) int {
	return sessions[id].bytes // nil for an unknown id
}

func main() {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		fmt.Println(account(map[string]*session{}, "s-42"))
	}()
	wg.Wait()
}
