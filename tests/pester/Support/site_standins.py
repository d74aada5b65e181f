#!/usr/bin/python3
"""A site's stand-ins for the remoting suite, on one address inside the site's network namespace:
a DNS resolver (UDP 53) answering A records from --answer NAME=IP (NXDOMAIN otherwise), WeChat's HTTP dispatch
(TCP 80) answering every request with the --dispatch XML file, and a long-link server (TCP 8080) that accepts and
holds connections. Writes --ready once all three are bound. Standard library only; runs until killed."""
import argparse, socket, struct, threading, time

def dns_server(addr, answers):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, 53))
    def serve():
        while True:
            q, peer = s.recvfrom(4096)
            if len(q) < 12:
                continue
            qid, flags, qd = struct.unpack('>HHH', q[:6])
            # question: labels, then type and class
            i, labels = 12, []
            while i < len(q) and q[i] != 0:
                n = q[i]; labels.append(q[i + 1:i + 1 + n].decode('ascii', 'replace')); i += 1 + n
            qtype, qclass = struct.unpack('>HH', q[i + 1:i + 5])
            question = q[12:i + 5]
            name = '.'.join(labels).lower()
            ip = answers.get(name)
            rd = flags & 0x0100
            if ip and qtype == 1:
                head = struct.pack('>HHHHHH', qid, 0x8080 | rd, 1, 1, 0, 0)
                rr = b'\xc0\x0c' + struct.pack('>HHIH', 1, 1, 60, 4) + socket.inet_aton(ip)
                s.sendto(head + question + rr, peer)
            else:
                rcode = 0 if ip else 3
                s.sendto(struct.pack('>HHHHHH', qid, 0x8080 | rd | rcode, 1, 0, 0, 0) + question, peer)
    threading.Thread(target=serve, daemon=True).start()

def http_server(addr, body):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, 80)); s.listen(16)
    def one(c):
        try:
            c.settimeout(5)
            data = b''
            while b'\r\n\r\n' not in data:
                chunk = c.recv(4096)
                if not chunk: return
                data += chunk
            head = b'HTTP/1.0 200 OK\r\nContent-Type: text/xml\r\nContent-Length: %d\r\nConnection: close\r\n\r\n' % len(body)
            c.sendall(head + body)
        except OSError:
            pass
        finally:
            c.close()
    def serve():
        while True:
            c, _ = s.accept()
            threading.Thread(target=one, args=(c,), daemon=True).start()
    threading.Thread(target=serve, daemon=True).start()

def long_link(addr):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, 8080)); s.listen(64)
    held = []
    def serve():
        while True:
            c, _ = s.accept()
            held.append(c)
            if len(held) > 256: held.pop(0).close()
    threading.Thread(target=serve, daemon=True).start()

if __name__ == '__main__':
    p = argparse.ArgumentParser()
    p.add_argument('--address', required=True)
    p.add_argument('--answer', action='append', default=[])
    p.add_argument('--dispatch', required=True)
    p.add_argument('--ready', required=True)
    a = p.parse_args()
    answers = dict(x.lower().split('=', 1) for x in a.answer)
    with open(a.dispatch, 'rb') as f:
        body = f.read()
    dns_server(a.address, answers)
    http_server(a.address, body)
    long_link(a.address)
    with open(a.ready, 'w') as f:
        f.write('ready\n')
    while True:
        time.sleep(3600)
