// A Go nil pointer dereference panic with a second goroutine.
package main

import (
	"fmt"
	"time"
)

type node struct {
	value int
	next  *node
}

//go:noinline
func sum(n *node) int { return n.next.value + n.value }

//go:noinline
func walk(head *node) int { return sum(head) * 2 }

func main() {
	go func() { time.Sleep(time.Hour) }()
	time.Sleep(10 * time.Millisecond)
	fmt.Println(walk(&node{value: 1}))
}
