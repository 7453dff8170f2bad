/**
 * A small HTTP forward proxy on 127.0.0.1, standing in for a corporate proxy
 * in front of a self-hosted runner. It forwards absolute-URI requests
 * (`GET http://host/path`) and opens CONNECT tunnels, and records what went
 * through: the tunnels it opened and the HTTP request lines it saw, including
 * those of plain HTTP sent inside a tunnel.
 */
import { once } from 'node:events';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

export interface ProxiedRequest {
  /** How it reached the proxy. */
  via: 'absolute-uri' | 'tunnel';
  method: string;
  /** host:port of the target. */
  target: string;
  path: string;
  at: number;
}

const REQUEST_LINE = /(GET|POST|PUT|DELETE|HEAD|OPTIONS|PATCH) (\S+) HTTP\/1\.[01]\r\n/g;

export class ForwardProxy {
  /** CONNECT targets, in order (host:port), including refused ones. */
  readonly tunnels: string[] = [];
  readonly requests: ProxiedRequest[] = [];
  url = '';
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor() {
    this.server = createServer((req, res) => {
      const target = new URL(req.url ?? '/');
      this.requests.push({ via: 'absolute-uri', method: req.method ?? '', target: target.host, path: `${target.pathname}${target.search}`, at: Date.now() });
      const upstream = httpRequest(
        { host: target.hostname, port: target.port || 80, method: req.method, path: `${target.pathname}${target.search}`, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end('proxy: upstream unreachable');
      });
      req.pipe(upstream);
    });

    this.server.on('connect', (req, client: Socket, head: Buffer) => {
      const target = req.url ?? '';
      this.tunnels.push(target);
      const [host, port] = [target.replace(/:\d+$/, ''), Number(/:(\d+)$/.exec(target)?.[1] ?? 443)];
      const upstream = connect(port, host);
      this.sockets.add(upstream);
      upstream.on('close', () => this.sockets.delete(upstream));
      upstream.once('error', () => {
        if (client.writable) client.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n');
      });
      upstream.once('connect', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length) upstream.write(head);
        // Plain HTTP inside the tunnel is readable: note its request lines.
        let pending = '';
        client.on('data', (chunk: Buffer) => {
          pending += chunk.toString('latin1');
          let match: RegExpExecArray | null;
          let consumed = 0;
          REQUEST_LINE.lastIndex = 0;
          while ((match = REQUEST_LINE.exec(pending))) {
            this.requests.push({ via: 'tunnel', method: match[1] as string, target, path: match[2] as string, at: Date.now() });
            consumed = REQUEST_LINE.lastIndex;
          }
          pending = pending.slice(Math.max(consumed, pending.length - 4096));
        });
        client.pipe(upstream);
        upstream.pipe(client);
      });
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });

    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  async start(): Promise<this> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  reset(): void {
    this.tunnels.length = 0;
    this.requests.length = 0;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
