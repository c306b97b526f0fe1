// Go's fatal errors, one per argument: a deadlock (main blocked on a channel send), concurrent
// map writes, and a goroutine stack overflow from unbounded recursion.
package main

import (
	"fmt"
	"os"
)

type tree struct{ left *tree }

func walk(t *tree, depth int) int {
	var pad [64]byte
	pad[depth%64] = 1
	return walk(t, depth+1) + int(pad[0])
}

func publish(results chan<- int, n int) {
	results <- n // nobody receives
}

func fill(m map[int]int, from int) {
	for i := 0; ; i++ {
		m[(from+i)%1000] = i
	}
}

func main() {
	switch os.Args[1] {
	case "deadlock":
		results := make(chan int)
		publish(results, 1)
	case "mapwrites":
		m := map[int]int{}
		go fill(m, 0)
		fill(m, 500)
	case "overflow":
		fmt.Println(walk(&tree{}, 0))
	}
}
