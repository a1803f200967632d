// The thrift transport's service: the payload as a binary argument, echoed back.
namespace cpp ipcbench

service Echo {
  // A round trip: the call and its result, the same bytes.
  binary echo(1: binary data)
  // A stream: one-way calls, which Thrift sends without waiting for (or getting) an answer.
  oneway void push(1: binary data)
}
