import requests

if __name__ == "__main__":
    requests.post("https://example.com/cleanup", timeout=30)
