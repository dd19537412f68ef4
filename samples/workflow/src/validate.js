// The workflow's first step: is the order acceptable? Returns {valid, reason}.
exports.handler = async (order) => {
  if (!Number.isInteger(order.quantity) || order.quantity < 1 || order.quantity > 100) {
    return { valid: false, reason: "quantity must be a whole number from 1 to 100" };
  }
  return { valid: true, reason: "" };
};
