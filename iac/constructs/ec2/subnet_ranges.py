"""Subnet ranges: how a Vpc splits its IPv4 range among its subnets (computed, never hand-typed)."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

MAX_SUBNET_PREFIX = 28  # EC2's limit for a subnet (16 addresses, 11 usable after AWS reserves 5)


def subnet_cidr_blocks(cidr: str, az_count: int) -> tuple[list[str], list[str]]:
    """The (public, private) subnet ranges of a default VPC (one public and one private subnet per zone)
    with range `cidr` across `az_count` zones.

    The scheme: the VPC range is cut into the smallest power of two of equal blocks that holds
    2 x az_count subnets; public subnets take the first az_count blocks in zone order, private subnets
    the next az_count; any blocks left over stay free for later subnets. 10.0.0.0/16 across 2 zones is
    four /18s (public 10.0.0.0/18, 10.0.64.0/18; private 10.0.128.0/18, 10.0.192.0/18); across 3 zones,
    eight /19s of which six are used. Equal sizes keep every range predictable from the zone count alone
    (the CDK cuts the same way, so its VPCs and these line up). `subnet_group_cidr_blocks` is the general
    form, for subnet configurations with masks of their own.
    """
    try:
        public, private = subnet_group_cidr_blocks(cidr, az_count, [None, None])
    except ValueError:
        prefix = ipaddress.IPv4Network(cidr).prefixlen + (2 * az_count - 1).bit_length()
        raise ValueError(f"cidr {cidr} is too small for {2 * az_count} subnets ({az_count} zones x public and "
                         f"private): each would be a /{prefix}, and subnets can be /{MAX_SUBNET_PREFIX} at the "
                         "smallest; use a larger range or fewer zones") from None
    return public, private


def subnet_group_cidr_blocks(cidr: str, az_count: int, masks: Sequence[int | None]) -> list[list[str]]:
    """The ranges of subnet groups (one subnet per zone each) in a VPC with range `cidr`: for each group,
    in order, its ranges in zone order. `masks` are the groups' prefix lengths; None shares what is left.

    The scheme: subnets are laid out in order (group after group, zone after zone), each at the next
    address aligned to its own size. Groups without a mask all get the largest equal size that lets the
    whole layout fit; with no mask anywhere that is `subnet_cidr_blocks`' equal cut. A ValueError says
    why nothing fits.
    """
    network = ipaddress.IPv4Network(cidr)
    unmasked = [mask for mask in masks if mask is None]
    for mask in masks:
        if mask is not None and not network.prefixlen <= mask <= MAX_SUBNET_PREFIX:
            raise ValueError(f"a cidr_mask of {mask} does not fit a /{network.prefixlen} VPC range: subnet "
                             f"masks go from /{network.prefixlen} (the whole range) to /{MAX_SUBNET_PREFIX}")
    if not unmasked:
        layout = _layout(network, az_count, [mask for mask in masks if mask is not None])
        if layout is None:
            raise ValueError(f"the subnets' masks ({', '.join(f'/{m}' for m in masks)}, x {az_count} zones) take "
                             f"more than the VPC range {cidr}")
        return layout
    first = network.prefixlen + (len(unmasked) * az_count - 1).bit_length()
    for shared in range(first, MAX_SUBNET_PREFIX + 1):
        layout = _layout(network, az_count, [shared if mask is None else mask for mask in masks])
        if layout is not None:
            return layout
    raise ValueError(f"cidr {cidr} is too small for {len(masks) * az_count} subnets ({az_count} zones x "
                     f"{len(masks)} groups): those without a cidr_mask would be smaller than "
                     f"/{MAX_SUBNET_PREFIX}, the smallest subnet; use a larger range, fewer zones or smaller masks")


def _layout(network: ipaddress.IPv4Network, az_count: int, masks: Sequence[int]) -> list[list[str]] | None:
    """Each group's `az_count` blocks at the next aligned addresses, in order; None if they overflow."""
    start = int(network.network_address)
    end = int(network.broadcast_address) + 1
    groups = []
    for mask in masks:
        size = 1 << (32 - mask)
        blocks = []
        for _ in range(az_count):
            start = -(-start // size) * size  # up to the block's alignment
            if start + size > end:
                return None
            blocks.append(str(ipaddress.IPv4Network((start, mask))))
            start += size
        groups.append(blocks)
    return groups


# -- rules the schemas cannot say ----------------------------------------------------------------
# (AWS::EC2::VPC's CidrBlock is only "an ipv4-network": the prefix limits and the zone count are EC2's.)
