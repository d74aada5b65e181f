#!/usr/bin/python3
"""Stand-ins for Get-WeChatConnection's tests (standard library only; runs until killed).

server --ports P1,P2 --ready FILE
    A long-link server: accepts on every address, echoes what arrives (a heartbeat frame comes back, data is
    answered byte for byte). Writes FILE once bound.

client --name NAME --control FIFO --log FILE
    A client process named NAME (prctl PR_SET_NAME, as /proc/PID/comm and ss show it) that holds long-lived
    connections. Reads commands from FIFO, one a line, and appends what it did to FILE:
      open ID IP PORT   connect, send one 16-byte long-link heartbeat, read its echo -> "opened ID LOCALPORT"
      send ID BYTES     send BYTES bytes (a background thread; the echo is drained)  -> "sent ID BYTES"
      close ID          close the connection                                            -> "closed ID"

hold --name NAME --connect IP:PORT[,IP:PORT...] [--ready FILE]
    A client process named NAME holding one connection to each IP:PORT, sending a long-link heartbeat on each every
    2 s (servers that close silent connections keep them). Writes FILE once every connection is open.
"""
import argparse, ctypes, os, socket, sys, threading

HEARTBEAT = bytes.fromhex('00000010' '0010' '0001' '00000006' 'ffffffff')

def server(ports, ready):
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    def serve(conn):
        try:
            while True:
                data = conn.recv(65536)
                if not data:
                    break
                conn.sendall(data)
        except OSError:
            pass
        finally:
            conn.close()
    def accept(l):
        while True:
            c, _ = l.accept()
            threading.Thread(target=serve, args=(c,), daemon=True).start()
    threads = []
    for p in ports:
        l = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        l.bind(('0.0.0.0', p))
        l.listen(128)
        t = threading.Thread(target=accept, args=(l,), daemon=True)
        t.start()
        threads.append(t)
    with open(ready, 'w') as f:
        f.write('ready\n')
    for t in threads:
        t.join()

def client(name, control, log):
    ctypes.CDLL(None).prctl(15, name.encode(), 0, 0, 0)
    conns = {}
    lock = threading.Lock()
    def say(line):
        with lock:
            with open(log, 'a') as f:
                f.write(line + '\n')
    def drain(s):
        try:
            while s.recv(65536):
                pass
        except OSError:
            pass
    fd = os.open(control, os.O_RDWR)  # read-write: never sees end of file when a writer closes
    stream = os.fdopen(fd, 'r')
    for line in stream:
        parts = line.split()
        if not parts:
            continue
        try:
            if parts[0] == 'open':
                s = socket.create_connection((parts[2], int(parts[3])), timeout=30)
                s.sendall(HEARTBEAT)
                got = b''
                while len(got) < len(HEARTBEAT):
                    chunk = s.recv(len(HEARTBEAT) - len(got))
                    if not chunk:
                        break
                    got += chunk
                s.settimeout(None)
                conns[parts[1]] = s
                threading.Thread(target=drain, args=(s,), daemon=True).start()
                say('opened %s %d' % (parts[1], s.getsockname()[1]))
            elif parts[0] == 'send':
                s = conns[parts[1]]
                n = int(parts[2])
                threading.Thread(target=lambda: s.sendall(b'w' * n), daemon=True).start()
                say('sent %s %d' % (parts[1], n))
            elif parts[0] == 'close':
                conns.pop(parts[1]).close()
                say('closed %s' % parts[1])
        except (OSError, KeyError, ValueError) as e:
            say('error %s %s' % (line.strip(), e))

def hold(name, targets, ready):
    ctypes.CDLL(None).prctl(15, name.encode(), 0, 0, 0)
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < len(targets) + 64:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, len(targets) + 1024), hard))
    socks = []
    for t in targets:
        host, port = t.rsplit(':', 1)
        s = socket.create_connection((host.strip('[]'), int(port)), timeout=30)
        s.settimeout(None)
        socks.append(s)
        def drain(s=s):
            try:
                while s.recv(65536):
                    pass
            except OSError:
                pass
        threading.Thread(target=drain, daemon=True).start()
    if ready:
        with open(ready, 'w') as f:
            f.write('ready\n')
    stop = threading.Event()
    while not stop.wait(2):
        for s in socks:
            try:
                s.sendall(HEARTBEAT)
            except OSError:
                pass

if __name__ == '__main__':
    a = argparse.ArgumentParser()
    a.add_argument('mode', choices=['server', 'client', 'hold'])
    a.add_argument('--connect')
    a.add_argument('--ports', default='8080')
    a.add_argument('--ready')
    a.add_argument('--name')
    a.add_argument('--control')
    a.add_argument('--log')
    o = a.parse_args()
    if o.mode == 'server':
        server([int(p) for p in o.ports.split(',')], o.ready)
    elif o.mode == 'hold':
        hold(o.name, o.connect.split(','), o.ready)
    else:
        client(o.name, o.control, o.log)
