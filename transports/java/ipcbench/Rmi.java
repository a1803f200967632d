// SPDX-License-Identifier: MIT
// Rmi - the java-rmi transport's Java half (transports/java_rmi.c is the C half, which calls
// these methods through JNI).
//
// The receiver exports one Rmi.Side (serve): RMI calls echo and push in a thread of its own, one
// per connection, and each call hands its message to the receiver's thread, which takes it
// (take) and, for echo, gives the reply (answer): the upcall waits for it. The sender reads the
// stub from the file the receiver wrote (client) and calls it. No registry: the stub is the
// serialized remote reference, written in the run's directory.
package ipcbench;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.rmi.Remote;
import java.rmi.RemoteException;
import java.rmi.server.RMIServerSocketFactory;
import java.rmi.server.UnicastRemoteObject;

public final class Rmi {
	private Rmi() {
	}

	// The remote interface: a round trip is one call of echo, a stream is calls of push, each
	// carrying one message as a byte array.
	public interface Echo extends Remote {
		byte[] echo(byte[] data) throws RemoteException;

		void push(byte[] data) throws RemoteException;
	}

	// Listen on 127.0.0.1 only (RMI's default socket factory listens on every address).
	private static final class Loopback implements RMIServerSocketFactory {
		public ServerSocket createServerSocket(int port) throws IOException {
			return new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
		}

		public boolean equals(Object o) {
			return o instanceof Loopback;
		}

		public int hashCode() {
			return 1;
		}
	}

	// Milliseconds HotSpot's compilers have spent so far: still growing while the warm-up's
	// calls make it compile the path.
	public static long compiledMs() {
		return java.lang.management.ManagementFactory.getCompilationMXBean()
		    .getTotalCompilationTime();
	}

	// The receiver's remote object.
	public static final class Side implements Echo {
		private byte[] request; // a call's message, until the receiver took it
		private boolean taken, replied, closing;
		private byte[] reply;

		public synchronized byte[] echo(byte[] data) throws RemoteException {
			request = data;
			taken = replied = false;
			notifyAll();
			while (!replied && !closing)
				waitQuietly();
			request = null;
			if (!replied)
				throw new RemoteException("the receiver is closing");
			return reply;
		}

		public synchronized void push(byte[] data) throws RemoteException {
			request = data;
			taken = false;
			notifyAll();
			while (!taken && !closing)
				waitQuietly();
			request = null;
		}

		// The receiver's thread: the next call's message (null once closing).
		public synchronized byte[] take() {
			while ((request == null || taken) && !closing)
				waitQuietly();
			if (closing)
				return null;
			taken = true;
			notifyAll();
			return request;
		}

		// The receiver's thread: the reply to the call whose message it took.
		public synchronized boolean answer(byte[] data) {
			if (request == null || !taken)
				return false;
			reply = data;
			replied = true;
			notifyAll();
			return true;
		}

		// The receiver's thread, at the end: a call still waiting returns, and every answer is
		// written before the side's process ends (RMI writes a call's result in its own thread
		// after the method returned; a call is in progress until then, and unexporting without
		// force refuses while one is).
		public void close() throws InterruptedException {
			long end = System.nanoTime() + 5_000_000_000L;

			synchronized (this) {
				closing = true;
				notifyAll();
			}
			try {
				while (!UnicastRemoteObject.unexportObject(this, false) && System.nanoTime() < end)
					Thread.sleep(1);
			} catch (java.rmi.NoSuchObjectException e) {
				// not exported any more: nothing in progress
			}
		}

		private void waitQuietly() {
			try {
				wait();
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
			}
		}

		// The receiver: export a new RmiSide on 127.0.0.1 and write its stub to path.
		public static Side serve(String path) throws IOException {
			Side side = new Side();
			Echo stub = (Echo) UnicastRemoteObject.exportObject(side, 0, null, new Loopback());

			try (ObjectOutputStream out = new ObjectOutputStream(new FileOutputStream(path))) {
				out.writeObject(stub);
			}
			return side;
		}

		// The sender: the stub the receiver wrote to path.
		public static Echo client(String path) throws IOException, ClassNotFoundException {
			try (ObjectInputStream in = new ObjectInputStream(new FileInputStream(path))) {
				return (Echo) in.readObject();
			}
		}
	}
}
