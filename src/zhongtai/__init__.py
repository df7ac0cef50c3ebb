"""Zhongtai (中台): a service middle platform."""
