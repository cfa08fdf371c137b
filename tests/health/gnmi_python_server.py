#!/usr/bin/python3
"""A tiny gNMI server written with Python grpcio (another codebase than
driad's C++ and mx-sim), for MxFeed's interoperability test.

Usage: gnmi_python_server.py PROTO_ROOT WORKDIR [--refuse-stream]

Generates Python stubs from PROTO_ROOT/proto/gnmi*.proto into WORKDIR with
grpc_tools.protoc, listens on 127.0.0.1 on a free port, prints "port N" on
stdout, and serves:
  STREAM: initial values (one encoding per leaf: json_ietf, string, ascii,
          int, a leaf-list), sync_response with a Juniper-style extension,
          then one update adding a third tunnel.
  --refuse-stream: STREAM is answered UNIMPLEMENTED; POLL gets the values
          and a sync_response at subscribe and on every Poll, one more
          tunnel each round.
It exits by itself after 60 s so a crashed test leaves nothing behind.
"""
import os
import subprocess
import sys
import threading
import time
from concurrent import futures


def generate(proto_root, workdir):
    include = "/usr/include"
    for name in ("gnmi_ext.proto", "gnmi.proto"):
        subprocess.run([sys.executable, "-m", "grpc_tools.protoc", "-I", proto_root, "-I",
                        include, "--python_out", workdir, "--grpc_python_out", workdir,
                        os.path.join("proto", name)], check=True, cwd=proto_root)
    sys.path.insert(0, workdir)


def main():
    proto_root, workdir = sys.argv[1], sys.argv[2]
    refuse_stream = "--refuse-stream" in sys.argv
    generate(proto_root, workdir)
    import grpc
    from proto import gnmi_pb2, gnmi_pb2_grpc

    def path(*elems):
        out = gnmi_pb2.Path()
        for name, keys in elems:
            elem = out.elem.add(name=name)
            for key, value in keys.items():
                elem.key[key] = value
        return out

    def tunnel_updates(notification, first, last):
        for index in range(first, last + 1):
            update = notification.update.add()
            update.path.CopyFrom(path(("interfaces", {}), ("interface", {"name": "ud-0/0/0"}),
                                      ("subinterfaces", {}),
                                      ("subinterface", {"index": str(index)}), ("state", {}),
                                      ("index", {})))
            update.val.int_val = index

    def initial(tunnels):
        lo0 = gnmi_pb2.Notification(timestamp=time.time_ns())
        lo0.prefix.CopyFrom(path(("interfaces", {}), ("interface", {"name": "lo0"})))
        status = lo0.update.add()
        status.path.CopyFrom(path(("state", {}), ("oper-status", {})))
        status.val.json_ietf_val = b'"UP"'
        anycast = lo0.update.add()
        anycast.path.CopyFrom(path(("subinterfaces", {}), ("subinterface", {"index": "0"}),
                                   ("ipv4", {}), ("addresses", {}),
                                   ("address", {"ip": "192.0.2.1"}), ("state", {}), ("ip", {})))
        anycast.val.string_val = "192.0.2.1"
        ud = gnmi_pb2.Notification(timestamp=time.time_ns())
        ud_status = ud.update.add()
        ud_status.path.CopyFrom(path(("interfaces", {}), ("interface", {"name": "ud-0/0/0"}),
                                     ("state", {}), ("oper-status", {})))
        ud_status.val.ascii_val = "UP"
        octets = ud.update.add()
        octets.path.CopyFrom(path(("interfaces", {}), ("interface", {"name": "ud-0/0/0"}),
                                  ("state", {}), ("counters", {}), ("out-octets", {})))
        octets.val.leaflist_val.element.add().uint_val = 1000
        tunnel_updates(ud, 1, tunnels)
        return [gnmi_pb2.SubscribeResponse(update=lo0), gnmi_pb2.SubscribeResponse(update=ud)]

    def sync():
        response = gnmi_pb2.SubscribeResponse(sync_response=True)
        response.extension.add().registered_ext.id = 1
        return response

    class Service(gnmi_pb2_grpc.gNMIServicer):
        def Capabilities(self, request, context):
            return gnmi_pb2.CapabilityResponse(gNMI_version="0.7.0",
                                               supported_encodings=[gnmi_pb2.PROTO])

        def Subscribe(self, requests, context):
            first = next(requests)
            subscribe = first.subscribe
            if subscribe.HasField("qos"):
                context.abort(grpc.StatusCode.UNIMPLEMENTED, "Qos not supported")
            if subscribe.mode == gnmi_pb2.SubscriptionList.STREAM:
                if refuse_stream:
                    context.abort(grpc.StatusCode.UNIMPLEMENTED, "STREAM not supported")
                yield from initial(2)
                yield sync()
                third = gnmi_pb2.Notification(timestamp=time.time_ns())
                tunnel_updates(third, 3, 3)
                yield gnmi_pb2.SubscribeResponse(update=third)
                while context.is_active():
                    time.sleep(0.05)
                return
            if subscribe.mode != gnmi_pb2.SubscriptionList.POLL:
                context.abort(grpc.StatusCode.UNIMPLEMENTED, "ONCE not supported")
            tunnels = 1
            yield from initial(tunnels)
            yield sync()
            for request in requests:
                if request.HasField("poll"):
                    tunnels += 1
                    yield from initial(tunnels)
                    yield sync()

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    gnmi_pb2_grpc.add_gNMIServicer_to_server(Service(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(f"port {port}", flush=True)
    threading.Timer(60, lambda: os._exit(0)).start()
    server.wait_for_termination()


if __name__ == "__main__":
    main()
