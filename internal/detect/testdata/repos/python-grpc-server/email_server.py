import os
import time
from concurrent import futures

import grpc
from grpc_health.v1 import health_pb2_grpc

import demo_pb2_grpc


class EmailService(demo_pb2_grpc.EmailServiceServicer):
    def SendOrderConfirmation(self, request, context):
        return None


def start():
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=10))
    demo_pb2_grpc.add_EmailServiceServicer_to_server(EmailService(), server)
    port = os.environ.get('PORT', "8080")
    server.add_insecure_port('[::]:' + port)
    server.start()
    server.wait_for_termination()


if __name__ == '__main__':
    start()
