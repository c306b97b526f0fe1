// A Go fatal error: all goroutines are asleep.
package main

func wait(ch chan int) int { return <-ch }

func main() {
	ch := make(chan int)
	println(wait(ch))
}
